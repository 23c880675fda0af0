// StickyStrategy (`sticky`): session affinity by weighted rendezvous hashing, optionally
// remembered.
//
// Session key: the first non-empty value among `session.headers` (in the order listed;
// names case-insensitive), then `session.metadata` keys (strings as they are, numbers and
// booleans by their JSON text). A request without one is served by `session.fallback`
// (default round-robin), which shares the route's pool and state.
//
// Rendezvous (highest random weight) hashing: every account a gets the score
//     score(a) = -w(a) / ln(u(key, a)),   u = Combine64(hash(key), hash(ID)) mapped to (0,1)
// and the highest score wins (Schindelhauer & Schomaker's weighted rendezvous hashing;
// the chance that a wins is exactly w(a) / sum of w). Properties, with no memory at all:
//   - the same key and the same pool give the same account, on every thread, replica and
//     restart (XXH64 is fixed);
//   - removing an account moves only the sessions that were on it, each to the account
//     that scored second for it (spread by weight);
//   - adding an account moves only the sessions it now wins: about w(new) / sum of w, i.e.
//     1/(n+1) for n+1 equal weights.
// A ring (consistent hashing) needs virtual nodes to get the same balance and memory for
// the ring; rendezvous needs none, at O(pool) hash mixes per pick (plus one logarithm per
// account when the weights differ; with equal weights the highest u wins directly).
//
// Memory (`session.ttl` > 0): a binding key -> account is remembered in a SessionTable
// (sharded, LRU-bounded by `session.max_sessions`, forgotten after `ttl` without use) and
// wins over the hash while its account is offered and has a weight above 0. So adding an
// account moves none of the remembered sessions (the new one only gets new sessions and
// the forgotten ones); a bound account that is not offered any more (cooling down,
// removed) is replaced by the rendezvous choice among the offered ones and the binding is
// updated, so the session stays on its new account even after the old one returns.
// `ttl: 0` is pure rendezvous hashing with no memory.
//
// Home (`session.return_home`, default false; needs `ttl` > 0): every binding also keeps
// the account it was first bound to, its home; moving a session off an account that is
// not offered keeps the home. With `return_home: true`, a session bound away from home
// goes back (and is bound home again) as soon as its home is offered with a weight above
// 0, e.g. when a Claude Max account is back from its cooldown, so that the load returns
// to the account the session was placed on; only displaced sessions move. Homes are
// recorded whatever `return_home` says, so turning it on by a reconfigure also recalls
// the sessions displaced before. A forgotten binding forgets its home: the next pick
// starts a new binding whose home is the account it gets then.
//
// Concurrency: hashing is lock-free; with memory, a pick locks one of up to 64 shard
// mutexes for a lookup (and a second time only to write a new binding, or to bind a
// session home again). The bindings, homes included, belong to the route (role "sticky")
// and survive reconfigures that keep its name; a new `max_sessions` keeps the most recent
// bindings with their homes.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_HPP_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/strategies/sticky/session_table.hpp"
#include "scheduler/strategies/sticky/sticky_config.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"
#include "scheduler/strategies/common/weights.hpp"

namespace cliproxy::scheduler {

// The remembered bindings, shared across Policies.
class StickyBindings : public StrategyState {
 public:
  explicit StickyBindings(std::unique_ptr<SessionTable> t) : table(std::move(t)) {}
  size_t Sessions() const override { return table->size(); }
  const std::unique_ptr<SessionTable> table;
};

class StickyStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);

  Outcome Pick(const PickContext& context) const override;
  void AddFields(json::PickFields* fields) const override;

 private:
  StickyStrategy(Weights weights, std::unique_ptr<Strategy> fallback)
      : weights_(std::move(weights)), fallback_(std::move(fallback)) {}

  // The session key of `request`, or empty.
  std::string_view SessionKey(const PickRequest& request) const;

  Weights weights_;
  std::unique_ptr<Strategy> fallback_;
  std::vector<std::string> headers_;
  std::vector<std::string> metadata_;
  int64_t ttl_ms_ = 0;
  bool return_home_ = false;
  std::shared_ptr<StickyBindings> bindings_;  // null when ttl is 0
};

// The registry's row of `sticky`.
const StrategyInfo& StickyStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_HPP_

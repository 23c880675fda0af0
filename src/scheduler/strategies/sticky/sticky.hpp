// StickyStrategy (`sticky`): session affinity by weighted rendezvous hashing on a session
// key (`session.headers`, then `session.metadata`), optionally remembered for `session.ttl`
// in a SessionTable (StickyBindings, role "sticky", kept across reconfigures that keep the
// route's name). A request without a key is served by `session.fallback` over the same pool.
//
// Thread-safety: hashing is lock-free; with memory, a pick locks one of up to 64 shard
// mutexes. Algorithm, properties and `return_home`: docs/strategies.md#sticky.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_HPP_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/strategies/common/weights.hpp"
#include "scheduler/strategies/sticky/session_table.hpp"
#include "scheduler/strategies/sticky/sticky_config.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

// The remembered bindings, shared across Policies.
class StickyBindings : public StrategyState {
 public:
  explicit StickyBindings(std::unique_ptr<SessionTable> t) : table(std::move(t)) {}
  size_t Sessions() const override { return table->size(); }
  uint64_t SessionMoves() const override { return table->moves(); }
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

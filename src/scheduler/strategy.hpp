// Strategy: how a route chooses one account from its pool.
//
// A strategy is compiled once from its route's configuration (see strategy_registry.hpp
// for the names and factories) and then asked for one choice per pick. It sees the pool
// (the candidates that passed the route's `pool` filter, never empty, in the order the
// host sent them) and the request, and answers with an account from the pool, a delegate
// to one of the host's built-in strategies, a refusal, a pass (leave the pick to the
// host), or "no choice" (every account in the pool is excluded, e.g. all weights are 0),
// which the route treats like an empty pool.
//
// State that must outlive a reconfigure (cursors, running weights, session bindings) is
// not kept in the strategy itself but in StrategyState objects owned by the route's
// RouteState, which the next Policy adopts for a route of the same name.
//
// Thread-safety: Pick() is const and is called concurrently from many threads; a strategy
// synchronises its state itself, and must not allocate per pick where it can avoid it.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGY_HPP_

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/account_reading.hpp"

namespace cliproxy::scheduler {

using Clock = std::chrono::steady_clock;

// The candidates a route may choose from.
using PoolView = std::span<const Candidate* const>;

struct PickContext {
  const PickRequest& request;
  PoolView pool;  // never empty
  Clock::time_point now;
  // Explain only (scheduler.explain): decide as a pick would now, but change no state that
  // a later pick reads (no cursor moves, no binding, no pick counted in flight).
  bool dry_run = false;
};

struct Outcome {
  enum class Kind { kAuth, kDelegate, kDeny, kPass, kNoChoice };
  Kind kind = Kind::kNoChoice;
  const Candidate* auth = nullptr;  // kAuth: a member of the pool
  std::string_view delegate;        // kDelegate: a host built-in (host_builtin.hpp), static

  static Outcome Auth(const Candidate* c) { return {Kind::kAuth, c, {}}; }
  static Outcome Delegate(std::string_view name) { return {Kind::kDelegate, nullptr, name}; }
  static Outcome Deny() { return {Kind::kDeny, nullptr, {}}; }
  static Outcome Pass() { return {Kind::kPass, nullptr, {}}; }
  static Outcome NoChoice() { return {Kind::kNoChoice, nullptr, {}}; }
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual Outcome Pick(const PickContext& context) const = 0;
  // Adds the parts of a pick request this strategy reads beyond candidate IDs.
  virtual void AddFields(json::PickFields* /*fields*/) const {}
};

// Mutable state of one strategy of one route, shared by successive Policies.
class StrategyState {
 public:
  virtual ~StrategyState() = default;
  // Records the state has allocated for accounts or IDs (table entries, cursor nodes, score
  // slots): what must stay bounded however many accounts pass through. Thread-safe.
  virtual size_t Records() const { return 0; }
  // Sessions bound to accounts and remembered (for explanations and tools). Thread-safe.
  virtual size_t Sessions() const { return 0; }
  // Bound sessions sent to another account than their binding's (status page). Thread-safe.
  virtual uint64_t SessionMoves() const { return 0; }
  // Fills what the state knows of the account with ID hash `hash` at `now` (status page),
  // loading atomics only: it never takes a lock a pick takes. Thread-safe.
  virtual void ReadAccount(uint64_t /*hash*/, Clock::time_point /*now*/,
                           AccountReading* /*out*/) const {}
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGY_HPP_

// RoundRobinStrategy (`round-robin`): rotation over the pool in ascending ID order.
//
// The cursor is the account chosen last, not an index: the next pick takes the account
// with the smallest ID greater than it, wrapping to the smallest ID. So the rotation is
// stable when the pool changes between picks (the host offers only usable accounts, so it
// changes often): an account that leaves is skipped without shifting the others, one that
// joins takes its place in ID order, and the rotation resumes right after the last
// account chosen even if that account itself has left. An index cursor would instead jump
// or repeat accounts whenever the pool grows or shrinks.
//
// Concurrency: the cursor is one atomic pointer to an interned ID (IdInterner); a pick
// computes the successor of the cursor it read and publishes it with compare-and-swap,
// retrying from the newer cursor if another pick won. Every pick is thus one step of a
// single rotation (with a fixed pool of n accounts, any n consecutive picks, from any
// threads, choose each account once), without a lock. The pass that finds the successor
// also finds the next three accounts of the rotation, so a pick that lost to picks that
// took some of them (the usual race: several picks read the same cursor) tries the
// account after the newest cursor at once, without another pass; only a cursor outside
// those (another pool, a longer race) costs a new pass. Cost: one pass over the pool of
// one or two ID comparisons per account, plus up to three for each account that enters
// the lookahead (a few per pass, unless the pool comes in descending ID order), and one
// hash per attempt; no allocation once the IDs are interned.
//
// The cursor belongs to the route (role "round-robin") and survives reconfigures that
// keep the route's name. A route remembers up to 6144 distinct account IDs over its
// life; beyond that, picks of a never-seen ID restart the rotation at the smallest ID.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_HPP_

#include <atomic>
#include <memory>

#include "scheduler/id_interner.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

// The rotation's cursor, shared across Policies.
class RoundRobinCursor : public StrategyState {
 public:
  IdInterner ids;
  std::atomic<const InternedId*> last{nullptr};  // null: start at the smallest ID
};

class RoundRobinStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  explicit RoundRobinStrategy(std::shared_ptr<RoundRobinCursor> cursor)
      : cursor_(std::move(cursor)) {}

  Outcome Pick(const PickContext& context) const override;

 private:
  std::shared_ptr<RoundRobinCursor> cursor_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_HPP_

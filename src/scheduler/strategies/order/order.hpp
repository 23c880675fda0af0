// OrderStrategy (`order`): ordered failover.
//
// `order` is a preference list of globs over account IDs. A pick takes the account that
// matches the earliest glob; among several accounts matching the same glob, the lowest ID.
// Accounts of the pool that match no glob come after every listed one, in ID order, so a
// route always serves while its pool has an account (restrict the pool with `pool.ids`
// to serve only the listed ones).
//
// Because the host offers only usable accounts (not cooling down, not already tried for
// this request), "the first present" is failover: the main account while it works, the
// first backup while it does not, and back to the main account as soon as it is offered
// again. No state; O(pool x globs) glob matches per pick.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_HPP_

#include <memory>
#include <vector>

#include "scheduler/glob.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

class OrderStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  explicit OrderStrategy(std::vector<Glob> preference) : preference_(std::move(preference)) {}

  Outcome Pick(const PickContext& context) const override;

 private:
  size_t Rank(const Candidate& candidate) const;

  std::vector<Glob> preference_;
};

// The registry's row of `order`.
const StrategyInfo& OrderStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_HPP_

// OrderStrategy (`order`): ordered failover. A pick takes the pool's account that matches
// the earliest `order` glob (ties: the lowest ID); accounts matching none come last, in ID
// order. No state; O(pool x globs) glob matches per pick.
//
// Thread-safety: immutable after Create. Algorithm: docs/strategies.md#order.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_HPP_

#include <memory>
#include <vector>

#include "base/glob.hpp"
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

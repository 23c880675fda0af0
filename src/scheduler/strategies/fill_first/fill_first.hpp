// FillFirstStrategy (`fill-first`): the account with the lowest ID in the pool.
//
// The same rule as the host's built-in fill-first (ascending ID order), but over the
// route's pool instead of all candidates: one account takes all traffic until the host
// stops offering it (cooldown, quota), then the next ID. No state; O(pool) per pick.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_FILL_FIRST_FILL_FIRST_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_FILL_FIRST_FILL_FIRST_HPP_

#include <memory>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

class FillFirstStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  Outcome Pick(const PickContext& context) const override;
};

// The registry's row of `fill-first`.
const StrategyInfo& FillFirstStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_FILL_FIRST_FILL_FIRST_HPP_

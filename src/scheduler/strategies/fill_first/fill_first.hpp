// FillFirstStrategy (`fill-first`): the account with the lowest ID in the pool, the host's
// built-in rule over the route's pool. No state; O(pool) per pick.
//
// Thread-safety: stateless. See docs/strategies.md#fill-first.
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

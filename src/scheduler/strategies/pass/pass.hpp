// PassStrategy (`pass`): leaves the pick unhandled, so the host's own selector chooses
// among all its candidates, as if no plugin were installed. Later routes are not tried:
// use it to exempt traffic from the routes below it. No state.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_PASS_PASS_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_PASS_PASS_HPP_

#include <memory>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

class PassStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild&) {
    return std::make_unique<PassStrategy>();
  }
  Outcome Pick(const PickContext&) const override { return Outcome::Pass(); }
};

// The registry's row of `pass`.
inline const StrategyInfo& PassStrategyInfo() {
  static constexpr StrategyInfo kInfo{.name = "pass", .create = &PassStrategy::Create};
  return kInfo;
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_PASS_PASS_HPP_

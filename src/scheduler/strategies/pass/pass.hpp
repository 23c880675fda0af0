// PassStrategy (`pass`): leaves the pick unhandled (the host's selector chooses); later
// routes are not tried.
//
// Thread-safety: stateless. See docs/strategies.md#pass.
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
  static constexpr StrategyInfo kInfo{
      .name = "pass", .create = &PassStrategy::Create, .picks_account = false};
  return kInfo;
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_PASS_PASS_HPP_

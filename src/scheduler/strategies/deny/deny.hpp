// DenyStrategy (`deny`): refuses the pick with the route's `error` (default 403
// `scheduler_denied`).
//
// Thread-safety: stateless. See docs/strategies.md#deny.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_DENY_DENY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_DENY_DENY_HPP_

#include <memory>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

class DenyStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild&) {
    return std::make_unique<DenyStrategy>();
  }
  Outcome Pick(const PickContext&) const override { return Outcome::Deny(); }
};

// The registry's row of `deny`.
inline const StrategyInfo& DenyStrategyInfo() {
  static constexpr StrategyInfo kInfo{
      .name = "deny", .create = &DenyStrategy::Create, .denies = true, .picks_account = false};
  return kInfo;
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_DENY_DENY_HPP_

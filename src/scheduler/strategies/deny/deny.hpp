// DenyStrategy (`deny`): refuses the pick with the route's `error` (status, code,
// message); the host fails the client's request with that HTTP status. Defaults: status
// 403, code `scheduler_denied`, message `scheduler pick denied by route "<name>"`. No
// state.
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
      .name = "deny", .create = &DenyStrategy::Create, .denies = true};
  return kInfo;
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_DENY_DENY_HPP_

#include "scheduler/strategies/delegate/delegate.hpp"

#include "scheduler/config_check.hpp"
#include "scheduler/host_builtin.hpp"
#include "scheduler/strategies/delegate/delegate_config.hpp"

namespace cliproxy::scheduler {

const StrategyInfo& DelegateStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kDelegateKey};
  static constexpr StrategyInfo kInfo{.name = "delegate",
                                      .keys = kKeys,
                                      .create = &DelegateStrategy::Create,
                                      .picks_account = false};
  return kInfo;
}

std::unique_ptr<Strategy> DelegateStrategy::Create(const StrategyBuild& build) {
  const std::string& name = build.route.Key<DelegateConfig>(kDelegateKey.name).builtin;
  if (name.empty()) return std::make_unique<DelegateStrategy>(kDefaultDelegate);
  if (std::string_view builtin = HostBuiltin(name); !builtin.empty()) {
    return std::make_unique<DelegateStrategy>(builtin);
  }
  // The host accepts only these two; anything else would be an invalid reply.
  FailAt(build.route, "delegate",
         "unknown built-in strategy \"" + name + "\" (the host offers fill-first, round-robin)");
}

}  // namespace cliproxy::scheduler

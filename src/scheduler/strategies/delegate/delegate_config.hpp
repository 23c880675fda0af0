// The route key `delegate` (strategy `delegate`): the host's built-in strategy to hand the
// pick to.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_CONFIG_HPP_

#include <string>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

struct DelegateConfig : KeyConfig {
  std::string builtin;  // as written; empty: the default
};

extern const StrategyKey kDelegateKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_CONFIG_HPP_

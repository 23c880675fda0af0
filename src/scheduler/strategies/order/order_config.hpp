// The route key `order` (strategy `order`): a preference list of account ID globs.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_CONFIG_HPP_

#include <string>
#include <vector>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

struct OrderConfig : KeyConfig {
  std::vector<std::string> globs;  // as written, most preferred first
};

extern const StrategyKey kOrderKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_ORDER_ORDER_CONFIG_HPP_

// The route key `quota` (strategy `headroom`): how full a window may be before its account
// is left out, and which of the others is spent first.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_CONFIG_HPP_

#include <optional>
#include <string>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

struct QuotaConfig : KeyConfig {
  std::optional<double> max_utilization;
  std::string prefer;  // empty: the default
};

extern const StrategyKey kQuotaKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_CONFIG_HPP_

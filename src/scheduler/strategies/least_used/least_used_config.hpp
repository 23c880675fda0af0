// The route key `usage` (strategy `least-used`): what is counted, over which window, and
// the limit above which an account is left out.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_CONFIG_HPP_

#include <cstdint>
#include <optional>
#include <string>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

struct UsageConfig : KeyConfig {
  std::string measure;                // empty: the default
  std::optional<std::string> window;  // as written; a bare number is seconds
  std::optional<int64_t> limit;
};

extern const StrategyKey kUsageKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_LEAST_USED_LEAST_USED_CONFIG_HPP_

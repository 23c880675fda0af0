// The route key `latency` (strategy `fastest`): what is measured, how fast old samples fade,
// how often a slow account is measured again, and what a failure costs.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_CONFIG_HPP_

#include <optional>
#include <string>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

struct LatencyConfig : KeyConfig {
  std::string measure;  // empty: the default
  std::optional<std::string> half_life;
  std::optional<double> explore;
  std::optional<std::string> failure_penalty;
};

extern const StrategyKey kLatencyKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_FASTEST_FASTEST_CONFIG_HPP_

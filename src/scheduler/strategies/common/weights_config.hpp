// The route keys `weights` and `weight_attribute`, read by the strategies that weigh
// accounts (Weights): their parsed values and their StrategyKey rows.
//
// Thread-safety: plain values and constant rows.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_CONFIG_HPP_

#include <optional>
#include <string>
#include <vector>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

// `weights:` entry: a glob over candidate IDs and the weight of the accounts it matches.
struct WeightRule {
  std::string glob;
  double weight = 1;
};

// `weights:`, in document order: the first matching glob wins.
struct WeightsConfig : KeyConfig {
  std::vector<WeightRule> rules;
};

// `weight_attribute:`; unset when null or not written.
struct WeightAttributeConfig : KeyConfig {
  std::optional<std::string> attribute;
};

extern const StrategyKey kWeightsKey;
extern const StrategyKey kWeightAttributeKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_COMMON_WEIGHTS_CONFIG_HPP_

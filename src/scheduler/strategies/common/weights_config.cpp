#include "scheduler/strategies/common/weights_config.hpp"

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseWeights(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<WeightsConfig>();
  value.ForEach([&](const std::string& glob, const YamlReader& weight) {
    route.Record("weights." + glob, weight);
    config->rules.push_back({glob, weight.Number()});
  });
  return config;
}

std::shared_ptr<const KeyConfig> ParseWeightAttribute(const YamlReader& value, RouteConfig&) {
  auto config = std::make_shared<WeightAttributeConfig>();
  if (!value.IsNull()) config->attribute = value.String();
  return config;
}

}  // namespace

const StrategyKey kWeightsKey{"weights", &ParseWeights};
const StrategyKey kWeightAttributeKey{"weight_attribute", &ParseWeightAttribute};

}  // namespace cliproxy::scheduler

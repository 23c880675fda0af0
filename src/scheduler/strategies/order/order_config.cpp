#include "scheduler/strategies/order/order_config.hpp"

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseOrder(const YamlReader& value, RouteConfig&) {
  auto config = std::make_shared<OrderConfig>();
  config->globs = value.Strings();
  return config;
}

}  // namespace

const StrategyKey kOrderKey{"order", &ParseOrder};

}  // namespace cliproxy::scheduler

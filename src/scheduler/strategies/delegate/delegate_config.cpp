#include "scheduler/strategies/delegate/delegate_config.hpp"

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseDelegate(const YamlReader& value, RouteConfig&) {
  auto config = std::make_shared<DelegateConfig>();
  config->builtin = value.String();
  return config;
}

}  // namespace

const StrategyKey kDelegateKey{"delegate", &ParseDelegate};

}  // namespace cliproxy::scheduler

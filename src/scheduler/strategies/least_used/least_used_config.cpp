#include "scheduler/strategies/least_used/least_used_config.hpp"

#include "scheduler/key_rules.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseUsage(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<UsageConfig>();
  UsageConfig& u = *config;
  ReadRouteBlock(route, "usage", value,
                 {
                     {"measure", Into(&u.measure)},
                     {"window", Into(&u.window)},
                     {"limit", Into(&u.limit)},
                 });
  return config;
}

}  // namespace

const StrategyKey kUsageKey{"usage", &ParseUsage};

}  // namespace cliproxy::scheduler

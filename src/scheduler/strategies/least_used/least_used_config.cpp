#include "scheduler/strategies/least_used/least_used_config.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseUsage(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<UsageConfig>();
  UsageConfig& u = *config;
  ReadRouteBlock(route, "usage", value,
                 {
                     {"measure", [&](const YamlReader& v) { u.measure = v.String(); }},
                     {"window",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) u.window = v.String();
                      }},
                     {"limit",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) u.limit = v.Int();
                      }},
                 });
  return config;
}

}  // namespace

const StrategyKey kUsageKey{"usage", &ParseUsage};

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/headroom/headroom_config.hpp"

#include "scheduler/key_rules.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseQuota(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<QuotaConfig>();
  QuotaConfig& q = *config;
  ReadRouteBlock(route, "quota", value,
                 {
                     {"max_utilization", Into(&q.max_utilization)},
                     {"prefer", Into(&q.prefer)},
                 });
  return config;
}

}  // namespace

const StrategyKey kQuotaKey{"quota", &ParseQuota};

}  // namespace cliproxy::scheduler

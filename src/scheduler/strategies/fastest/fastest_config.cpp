#include "scheduler/strategies/fastest/fastest_config.hpp"

#include "scheduler/key_rules.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseLatency(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<LatencyConfig>();
  LatencyConfig& l = *config;
  ReadRouteBlock(route, "latency", value,
                 {
                     {"measure", Into(&l.measure)},
                     {"half_life", Into(&l.half_life)},
                     {"explore", Into(&l.explore)},
                     {"failure_penalty", Into(&l.failure_penalty)},
                 });
  return config;
}

}  // namespace

const StrategyKey kLatencyKey{"latency", &ParseLatency};

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/fastest/fastest_config.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseLatency(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<LatencyConfig>();
  LatencyConfig& l = *config;
  ReadRouteBlock(route, "latency", value,
                 {
                     {"measure", [&](const YamlReader& v) { l.measure = v.String(); }},
                     {"half_life",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) l.half_life = v.String();
                      }},
                     {"explore",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) l.explore = v.Number();
                      }},
                     {"failure_penalty",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) l.failure_penalty = v.String();
                      }},
                 });
  return config;
}

}  // namespace

const StrategyKey kLatencyKey{"latency", &ParseLatency};

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/sticky/sticky_config.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseSession(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<SessionConfig>();
  SessionConfig& s = *config;
  ReadRouteBlock(route, "session", value,
                 {
                     {"headers", [&](const YamlReader& v) { s.headers = v.Strings(); }},
                     {"metadata", [&](const YamlReader& v) { s.metadata = v.Strings(); }},
                     {"ttl",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) s.ttl = v.String();
                      }},
                     {"max_sessions",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) s.max_sessions = v.Int();
                      }},
                     {"fallback", [&](const YamlReader& v) { s.fallback = v.String(); }},
                     {"return_home",
                      [&](const YamlReader& v) {
                        if (!v.IsNull()) s.return_home = v.Bool();
                      }},
                 });
  return config;
}

}  // namespace

const StrategyKey kSessionKey{"session", &ParseSession};

}  // namespace cliproxy::scheduler

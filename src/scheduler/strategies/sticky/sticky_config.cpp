#include "scheduler/strategies/sticky/sticky_config.hpp"

#include "scheduler/key_rules.hpp"

namespace cliproxy::scheduler {
namespace {

std::shared_ptr<const KeyConfig> ParseSession(const YamlReader& value, RouteConfig& route) {
  auto config = std::make_shared<SessionConfig>();
  SessionConfig& s = *config;
  ReadRouteBlock(route, "session", value,
                 {
                     {"headers", Into(&s.headers)},
                     {"metadata", Into(&s.metadata)},
                     {"ttl", Into(&s.ttl)},
                     {"max_sessions", Into(&s.max_sessions)},
                     {"fallback", Into(&s.fallback)},
                     {"return_home", Into(&s.return_home)},
                 });
  return config;
}

}  // namespace

const StrategyKey kSessionKey{"session", &ParseSession};

}  // namespace cliproxy::scheduler

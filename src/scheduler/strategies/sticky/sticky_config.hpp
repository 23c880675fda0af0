// The route key `session` (strategy `sticky`): where the session key is found, how long
// and how many bindings are remembered, and the fallback for requests without a key.
//
// Thread-safety: a plain value and a constant row.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_CONFIG_HPP_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/route_config.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

// Defaults of `session`.
inline const std::vector<std::string>& DefaultSessionHeaders() {
  static const std::vector<std::string> headers = {
      "X-Claude-Code-Session-Id", "Session-Id", "Session_id", "X-Session-Id", "X-Session-Affinity"};
  return headers;
}
inline const std::vector<std::string>& DefaultSessionMetadata() {
  static const std::vector<std::string> keys = {"execution_session_id"};
  return keys;
}
inline constexpr std::chrono::milliseconds kDefaultSessionTtl = std::chrono::hours(1);
inline constexpr int64_t kDefaultMaxSessions = 100'000;
inline constexpr int64_t kMaxMaxSessions = 100'000'000;
inline constexpr std::string_view kDefaultStickyFallback = "round-robin";

struct SessionConfig : KeyConfig {
  std::optional<std::vector<std::string>> headers;
  std::optional<std::vector<std::string>> metadata;
  std::optional<std::string> ttl;  // as written; a bare number is seconds
  std::optional<int64_t> max_sessions;
  std::string fallback;  // empty: the default
  std::optional<bool> return_home;
};

extern const StrategyKey kSessionKey;

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_STICKY_STICKY_CONFIG_HPP_

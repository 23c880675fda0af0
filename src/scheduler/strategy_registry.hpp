// The strategies a route may name, and how each is built from the route's configuration.
//
//   order        ordered failover over `order` globs          strategies/order.hpp
//   fill-first   the first account in ID order                 strategies/fill_first.hpp
//   round-robin  rotation in ID order, stable under pool changes  strategies/round_robin.hpp
//   weighted     smooth weighted round-robin                   strategies/weighted.hpp
//   sticky       weighted rendezvous hashing on a session key  strategies/sticky.hpp
//   least-used   fewest tokens/requests in a window (usage)    strategies/least_used.hpp
//   fastest      lowest latency/TTFT average × load (usage)    strategies/fastest.hpp
//   delegate     the host's built-in fill-first / round-robin  strategies/delegate.hpp
//   deny         an error with the route's status/code/message strategies/deny.hpp
//   pass         leave the pick to the host (unhandled)        strategies/pass.hpp
//
// Thread-safety: the registry is a constant table.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_

#include <memory>
#include <string>
#include <string_view>

#include "scheduler/logger.hpp"
#include "scheduler/route_config.hpp"
#include "scheduler/route_state.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

inline constexpr std::string_view kDefaultStrategy = "round-robin";
inline constexpr std::string_view kDefaultStickyFallback = "round-robin";

// What a factory gets: the route's configuration, its state, and where to log (may be null).
struct StrategyBuild {
  const RouteConfig& route;
  RouteState& state;
  const std::shared_ptr<const Logger>& logger;
};

using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyBuild& build);

struct StrategyInfo {
  std::string_view name;
  StrategyFactory factory;
  bool fallback_allowed;  // may serve as sticky's `session.fallback`
};

// The strategy called `name`, or null.
const StrategyInfo* FindStrategy(std::string_view name);
// "order, fill-first, round-robin, ..." for messages.
std::string StrategyNames();

// Builds the strategy whose name is written at `key` ("strategy" or "session.fallback")
// of `build.route`. Throws ConfigError naming `key` for an unknown name, or for a
// strategy that cannot be a fallback when `as_fallback`.
std::unique_ptr<Strategy> BuildStrategy(const StrategyBuild& build, const std::string& key,
                                        std::string_view name, bool as_fallback);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_

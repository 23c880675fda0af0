// The strategies a route may name: one row per strategy (StrategyInfo), each defined in the
// strategy's own folder, strategies/<name>/, and listed once in strategy_registry.cpp.
// docs/strategies.md describes each algorithm.
//
// A row says everything the core needs to know about a strategy: the route keys it owns or
// reads (and how each is parsed), how it is built, whether it may serve as another
// strategy's fallback, and whether it reads usage records or the clock. Nothing outside
// strategies/ and this registry names a strategy.
//
// Thread-safety: the registry is a constant table.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/logger.hpp"
#include "scheduler/route_config.hpp"
#include "scheduler/route_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

inline constexpr std::string_view kDefaultStrategy = "round-robin";

// What a factory gets: the route's configuration, its state, where to log (may be null),
// and the state store that keeps the states it shares (store/state_store.hpp; null: memory
// only, as in tests and tools that compile a policy without a plugin).
struct StrategyBuild {
  const RouteConfig& route;
  RouteState& state;
  const std::shared_ptr<const Logger>& logger;
  // The store of the policy being compiled (may be null), read only: Compile has no effect
  // on it. Stored states are listed in `stored` (may be null), attached once the policy is
  // accepted.
  const StateStore* store = nullptr;
  std::vector<StoredStateUse>* stored = nullptr;
};

using StrategyFactory = std::unique_ptr<Strategy> (*)(const StrategyBuild& build);

// A route-level key a strategy reads (`session`, `weights`, ...), and its parser: reads the
// value (shapes and types only), records the positions of its sub-keys in `route`
// (RouteConfig::Record) and returns the parsed value, which the strategy reads back with
// RouteConfig::Key<T>. Throws ConfigError. Several strategies may read one key (`weights`):
// they share one StrategyKey object.
struct StrategyKey {
  std::string_view name;
  std::shared_ptr<const KeyConfig> (*parse)(const YamlReader& value, RouteConfig& route);
};

// A strategy's row; each folder defines its own (`const StrategyInfo& StickyStrategyInfo()`)
// with designated initializers, stating only what differs from the defaults.
struct StrategyInfo {
  std::string_view name;
  std::span<const StrategyKey* const> keys = {};  // the route keys it reads
  StrategyFactory create = nullptr;
  bool fallback_allowed = true;  // may serve as another strategy's fallback (sticky's)
  bool reads_usage = false;      // learns from usage records: the plugin declares `usage_plugin`
  bool reads_clock = false;      // Pick reads PickContext::now
  bool denies = false;           // may answer with the route's `error`
  bool picks_account = true;     // answers with an account of the pool (not delegate, deny,
                                 // pass), so `pool.max_in_flight` can hold
  // The name of the strategy it runs as its fallback in `route` (sticky:
  // `session.fallback`), or null for a strategy without one.
  std::string_view (*fallback)(const RouteConfig& route) = nullptr;
};

// The strategy called `name`, or null.
const StrategyInfo* FindStrategy(std::string_view name);
// "order, fill-first, round-robin, ..." for messages.
std::string StrategyNames();

// The key called `name` that some strategy reads, or null.
const StrategyKey* FindStrategyKey(std::string_view name);
// Every key some strategy reads, once each, in registry order.
const std::vector<const StrategyKey*>& StrategyKeys();
// "order, weights, ...": every strategy key, in registry order, for messages.
std::string StrategyKeyNames();
// "`weighted` or `sticky`": the strategies that read `key`, for messages.
std::string StrategiesReading(std::string_view key);
// Whether `info` reads `key`.
bool Reads(const StrategyInfo& info, std::string_view key);

// Builds the strategy whose name is written at `key` ("strategy" or "session.fallback")
// of `build.route`. Throws ConfigError naming `key` for an unknown name, or for a
// strategy that cannot be a fallback when `as_fallback`.
std::unique_ptr<Strategy> BuildStrategy(const StrategyBuild& build, const std::string& key,
                                        std::string_view name, bool as_fallback);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGY_REGISTRY_HPP_

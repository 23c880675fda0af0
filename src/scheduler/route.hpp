// Route: one entry of `routes:`, compiled: `when` (RouteCondition) -> `pool` (PoolFilter)
// -> `strategy` (Strategy) -> a Decision, with `when_empty` deciding what an empty pool
// means.
//
//   when does not match              -> the route does not decide (the next one is tried)
//   pool: the candidates that pass the filter; with `across_priorities`, only those of the
//         highest Priority among them (`pool.tiers: highest`, the default) or all (`all`);
//         with `pool.max_in_flight: N`, without the accounts that have N picks of this
//         route in flight (PoolInFlight; the cap holds under concurrent picks)
//   pool empty, or strategy excludes every account (weights 0):
//     when_empty: deny (default)     -> error `error` (default 503 auth_unavailable)
//     when_empty: next               -> the route does not decide
//     when_empty: pass               -> unhandled (the host's selector picks)
//   otherwise                        -> the strategy's outcome: an account of the pool, a
//                                       delegate, a deny (`error`, default 403
//                                       scheduler_denied) or unhandled (pass)
//
// Why fail closed by default: a pool is a promise about which accounts serve a route
// (a tenant's own accounts, a plan); leaving the pick to the host when it is empty would
// silently spend someone else's account. `next` and `pass` are there to say otherwise.
//
// Thread-safety: immutable after Compile; Evaluate() may be called from any thread.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_HPP_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/decision.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/pool_filter.hpp"
#include "scheduler/pool_in_flight.hpp"
#include "scheduler/route_condition.hpp"
#include "scheduler/route_config.hpp"
#include "scheduler/route_state.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

// Defaults of `error`.
inline constexpr int kDefaultDenyStatus = 403;
inline constexpr const char* kDefaultDenyCode = "scheduler_denied";
inline constexpr int kDefaultEmptyStatus = 503;
inline constexpr const char* kDefaultEmptyCode = "auth_unavailable";

// The `error` of `config` over the defaults given: `error.status` must be 0 (none) or
// 400-599 and `error.code` non-empty, else ConfigError naming the key.
PluginError CompileRouteError(const RouteConfig& config, int status, const char* code,
                              std::string message);

class Route {
 public:
  enum class WhenEmpty { kDeny, kNext, kPass };

  // Compiles `config` (whose `path` names it in errors), taking strategy state from
  // `state`. Decisions name the route by path and name ("routes[0] team-a"). Throws
  // ConfigError naming the key at fault.
  // `across_priorities`: the host offers every priority tier (see Config), so the pool is
  // narrowed to its own highest tier unless the route says `pool.tiers: all`.
  // `logger` (may be null) is where strategies report what the operator must know;
  // `store` (may be null) will keep the states its strategies share
  // (store/state_store.hpp): they are listed in `stored`, not attached.
  static std::unique_ptr<Route> Compile(const RouteConfig& config, RouteState& state,
                                        bool across_priorities = false,
                                        const std::shared_ptr<const Logger>& logger = nullptr,
                                        const StateStore* store = nullptr,
                                        std::vector<StoredStateUse>* stored = nullptr);

  // This route's decision, or std::nullopt when it does not decide. Candidates with an
  // empty ID are never in the pool (the host cannot be answered with one). `dry_run`: for
  // explain, nothing changes the strategy's state (see PickContext).
  std::optional<Decision> Evaluate(const PickRequest& request, Clock::time_point now,
                                   bool dry_run = false) const;

  void AddFields(json::PickFields* fields) const;
  const std::string& name() const { return name_; }
  const std::string& strategy_name() const { return strategy_name_; }
  // Whether a strategy of this route (or its fallback) learns from usage records, or reads
  // the time of a pick (StrategyInfo).
  bool reads_usage() const { return reads_usage_; }
  bool reads_clock() const { return reads_clock_; }

 private:
  Route() = default;
  std::optional<Decision> Empty() const;
  // The strategy's outcome over `pool`, counting a chosen account in flight under
  // `pool.max_in_flight` (an account that lost its last place to a concurrent pick is
  // left out and the strategy asked again).
  Outcome Choose(const PickRequest& request, std::vector<const Candidate*>& pool,
                 Clock::time_point now, bool dry_run) const;

  std::string name_;
  std::string rule_;
  std::string strategy_name_;
  RouteCondition condition_;
  PoolFilter pool_;
  std::unique_ptr<Strategy> strategy_;
  WhenEmpty when_empty_ = WhenEmpty::kDeny;
  bool top_tier_only_ = false;               // keep only the pool's highest Priority
  int64_t max_in_flight_ = 0;                // 0: no cap
  std::shared_ptr<PoolInFlight> in_flight_;  // with a cap
  bool reads_usage_ = false;
  bool reads_clock_ = false;
  PluginError deny_error_;
  PluginError empty_error_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_HPP_

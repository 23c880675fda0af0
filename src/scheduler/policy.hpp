// Policy: a configuration compiled once into an immutable decision procedure.
//
// Evaluation order for a pick (WIRE.md §5, then the policy engine):
//   1. deny: true                      -> error `scheduler_denied`
//   2. delegate fill-first|round-robin -> that delegate
//   3. delegate any other non-empty    -> unhandled by the reference keys; auth_id is
//                                         skipped (as in the reference), routes are tried
//   4. auth_id equal to a candidate    -> that auth
//   5. otherwise (3, or 4 found nothing) the routes, in order: the first route that decides
//      decides (see route.hpp: a route whose `when` does not match, or whose pool is empty
//      with `when_empty: next`, does not decide)
//   6. none decided -> `no_route`: unhandled (`action: pass`, the default) or its error
//      (`action: deny`, default 403 `no_route`)
// With no routes and no `no_route` configured this is exactly the reference plugin.
//
// A fail-closed Policy (FailClosed) stands in for a configuration that could not be used
// when there is no good one to keep: it answers every pick with its error.
//
// Compile validates everything once (names, globs, durations, strategy keys) so that the
// hot path trusts its input. Route state (cursors, running weights, session bindings) is
// carried over from the previous Policy for routes that keep their name and dropped for
// the others.
//
// fields(): the parts of a pick request this policy reads. With only the reference keys
// that is the candidate IDs; routes add the request's Providers, headers and metadata
// and the candidates' attributes only when some route reads them, so the decoder skips
// storing the rest.
//
// Usage: routes whose strategy learns from usage records (StrategyInfo::reads_usage)
// register their state as observers; ObserveUsage() hands each record to every one of them.
//
// Thread-safety: a Policy is immutable after Compile; Pick() may be called concurrently
// from any number of threads (route state is internally synchronized, see each strategy).
#ifndef CLIPROXY_SRC_SCHEDULER_POLICY_HPP_
#define CLIPROXY_SRC_SCHEDULER_POLICY_HPP_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/config.hpp"
#include "scheduler/decision.hpp"
#include "scheduler/logger.hpp"
#include "scheduler/metadata_watch.hpp"
#include "scheduler/route.hpp"
#include "scheduler/route_state.hpp"
#include "scheduler/status/route_counters.hpp"
#include "scheduler/store/state_store.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/usage_observer.hpp"

namespace cliproxy::scheduler {

class Policy {
 public:
  // What a route is, for explanations and tools.
  struct RouteInfo {
    std::string name;
    std::string strategy;
    size_t sessions = 0;  // sessions its strategies remember (StrategyState::Sessions)
    size_t records = 0;   // per-account records of its strategies (StrategyState::Records)
  };

  // Compiles `config`. Throws ConfigError naming the bad key. `previous` (may be null) is
  // the policy being replaced; its route state is adopted by routes of the same name.
  // `logger` (may be null) receives the warnings of the routes' strategies (logged once per
  // route state, e.g. a usage table that is full).
  // `store` (may be null: memory only) will keep the routes' stored states
  // (store/state_store.hpp); the policy holds it while it lives. Compile has no effect on
  // the store nor on the adopted states: a policy that is not accepted leaves both as they
  // were.
  static std::shared_ptr<const Policy> Compile(Config config, const Policy* previous,
                                               std::shared_ptr<const Logger> logger = nullptr,
                                               std::shared_ptr<StateStore> store = nullptr);
  // Once the policy is accepted, before it is published: applies its settings to the
  // stored states it adopted and attaches its stored states to its store (restoring the
  // fresh ones). Called once, by the reconfigure that accepted it.
  void AttachStoredStates() const;
  // A policy that fails every pick with `error` (rule "config"): what the plugin serves
  // while its configuration is invalid and no earlier one was good.
  static std::shared_ptr<const Policy> FailClosed(PluginError error);
  bool fails_closed() const { return fail_closed_.has_value(); }

  Decision Pick(const PickRequest& request) const;
  // Pick at a given time (sticky TTLs are measured on this clock); for simulations and
  // tests. Times must not go backwards by more than a TTL.
  Decision Pick(const PickRequest& request, Clock::time_point now) const;

  // The decision Pick would make now, changing no route state (no cursor moves, no score,
  // binding or pick in flight is recorded): for scheduler.explain.
  Decision Explain(const PickRequest& request) const;

  // Passes a usage record (usage.handle) to the usage-driven strategies of the routes
  // (least-used, fastest, also as sticky's fallback). `now` as for Pick.
  void ObserveUsage(const UsageRecord& record) const;
  void ObserveUsage(const UsageRecord& record, Clock::time_point now) const;
  // Whether some route learns from usage records: the plugin then declares `usage_plugin`,
  // and only then does the host send them.
  bool reads_usage() const { return reads_usage_; }

  // Counts a pick for the metadata watch (see metadata_watch.hpp): its report, once, when
  // the first picks lacked a metadata key that routes match on.
  std::optional<MetadataWatch::Report> WatchMetadata(const PickRequest& request) const {
    return metadata_watch_ ? metadata_watch_->Observe(request) : std::nullopt;
  }

  // The parts of a pick request this policy reads (the rest is checked, not stored).
  const json::PickFields& fields() const { return fields_; }
  // The configuration compiled, without its routes (compiled into Routes(), not kept).
  const Config& config() const { return config_; }
  std::vector<RouteInfo> Routes() const;

  // The counters of the route at `index` (Decision::route), or null: where the plugin
  // counts the route's decisions for the status page (carried across reconfigures by name).
  RouteCounters* CountersOf(int index) const {
    return index >= 0 && static_cast<size_t>(index) < counters_.size() ? counters_[index].get()
                                                                       : nullptr;
  }
  // What the status page shows of each route, in order.
  struct RouteStatus {
    std::string name;
    std::string strategy;
    std::shared_ptr<const RouteCounters> counters;
    std::vector<std::shared_ptr<const StrategyState>> states;
  };
  std::vector<RouteStatus> StatusOfRoutes() const;

 private:
  explicit Policy(Config config) : config_(std::move(config)) {}
  Decision Decide(const PickRequest& request, Clock::time_point now, bool dry_run) const;
  static std::shared_ptr<MetadataWatch> WatchFor(const Config& config,
                                                 const std::optional<PluginError>& no_route,
                                                 const Policy* previous);

  Config config_;
  json::PickFields fields_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::map<std::string, std::unique_ptr<RouteState>> states_;  // by route name
  std::vector<std::shared_ptr<RouteCounters>> counters_;       // by route index
  std::vector<UsageObserver*> usage_observers_;                // states owned by states_
  bool reads_usage_ = false;  // some route's strategy reads usage (StrategyInfo::reads_usage)
  bool reads_clock_ = false;
  std::optional<PluginError> no_route_;            // `no_route: {action: deny}`: its error
  std::optional<PluginError> fail_closed_;         // FailClosed(): the error of every pick
  std::shared_ptr<MetadataWatch> metadata_watch_;  // null when no route matches on metadata
  std::shared_ptr<StateStore> store_;              // null: memory only
  std::vector<StoredStateUse> stored_;             // attached by AttachStoredStates
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POLICY_HPP_

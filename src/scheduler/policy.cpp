#include "scheduler/policy.hpp"

#include "scheduler/config_check.hpp"
#include "scheduler/host_builtin.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr const char* kDeniedMessage = "scheduler pick denied by plugin configuration";
constexpr int kNoRouteStatus = 403;
constexpr const char* kNoRouteCode = "no_route";
constexpr const char* kNoRouteMessage = "no scheduler route matches this request";

// `no_route:` compiled: its deny error, or nullopt for `action: pass`.
std::optional<PluginError> CompileNoRoute(const RouteConfig& block) {
  const std::string& action = block.strategy;
  if (!action.empty() && action != "pass" && action != "deny") {
    FailAt(block, "action", "unknown action \"" + action + "\" (known: pass, deny)");
  }
  if (action != "deny") {
    if (block.Has("error")) {
      FailAt(block, "error", "`error` is only used by `action: deny`, and this block passes");
    }
    return std::nullopt;
  }
  return CompileRouteError(block, kNoRouteStatus, kNoRouteCode, kNoRouteMessage);
}

bool IsBuiltin(const std::string& delegate) { return !HostBuiltin(delegate).empty(); }

}  // namespace

std::shared_ptr<MetadataWatch> Policy::WatchFor(const Config& config,
                                                const std::optional<PluginError>& no_route,
                                                const Policy* previous) {
  std::map<std::string, std::vector<std::string>> routes_by_key;
  for (const RouteConfig& rc : config.routes) {
    for (const KeyGlobs& k : rc.when.metadata) {
      std::vector<std::string>& users = routes_by_key[k.key];
      const std::string rule = rc.path + " " + rc.name;
      if (users.empty() || users.back() != rule) users.push_back(rule);
    }
  }
  if (routes_by_key.empty()) return nullptr;
  if (previous != nullptr && previous->metadata_watch_ &&
      previous->metadata_watch_->routes_by_key() == routes_by_key) {
    return previous->metadata_watch_;  // one report per proxy, not one per reconfigure
  }
  std::string then = no_route ? "their picks fall to later routes, then fail with " + no_route->code
                              : "their picks fall to later routes, then to the host's own "
                                "strategy (no_route: pass)";
  return std::make_shared<MetadataWatch>(std::move(routes_by_key), std::move(then));
}

std::shared_ptr<const Policy> Policy::Compile(Config config, const Policy* previous,
                                              std::shared_ptr<const Logger> logger,
                                              std::shared_ptr<StateStore> store) {
  const bool across_priorities = config.across_priorities;
  std::shared_ptr<Policy> policy(new Policy(std::move(config)));
  policy->store_ = std::move(store);
  // The reference keys read only candidate IDs; routes add what they read.
  json::PickFields& f = policy->fields_;
  f = json::PickFields::CandidateIds();

  std::map<std::string, const RouteConfig*> seen;
  for (const RouteConfig& rc : policy->config_.routes) {
    if (auto [it, fresh] = seen.emplace(rc.name, &rc); !fresh) {
      FailAt(rc, "name",
             "duplicate route name \"" + rc.name + "\" (first used at " + it->second->path + ")");
    }
    const RouteState* before = nullptr;
    if (previous != nullptr) {
      if (auto it = previous->states_.find(rc.name); it != previous->states_.end()) {
        before = it->second.get();
      }
    }
    auto state = std::make_unique<RouteState>(before);
    std::unique_ptr<Route> route = Route::Compile(rc, *state, across_priorities, logger,
                                                  policy->store_.get(), &policy->stored_);
    policy->counters_.push_back(state->Obtain<RouteCounters>("status"));
    state->Seal();
    route->AddFields(&f);
    policy->reads_clock_ = policy->reads_clock_ || route->reads_clock();
    policy->reads_usage_ = policy->reads_usage_ || route->reads_usage();
    state->ForEachState([&](const std::shared_ptr<StrategyState>& s) {
      if (auto* observer = dynamic_cast<UsageObserver*>(s.get())) {
        policy->usage_observers_.push_back(observer);
      }
    });
    policy->routes_.push_back(std::move(route));
    policy->states_[rc.name] = std::move(state);
  }
  if (policy->config_.no_route) policy->no_route_ = CompileNoRoute(*policy->config_.no_route);
  policy->metadata_watch_ = WatchFor(policy->config_, policy->no_route_, previous);
  // Every route keeps what it needs; the configuration of 50,000 routes would be ~50 MB.
  std::vector<RouteConfig>().swap(policy->config_.routes);
  return policy;
}

void Policy::AttachStoredStates() const {
  for (const StoredStateUse& use : stored_) {
    if (use.configure) use.configure();
    if (store_) store_->Attach(use.state, use.fresh);
  }
}

std::shared_ptr<const Policy> Policy::FailClosed(PluginError error) {
  std::shared_ptr<Policy> policy(new Policy(Config{}));
  policy->fields_ = json::PickFields::CandidateIds();  // nothing else of the request is read
  policy->fail_closed_ = std::move(error);
  return policy;
}

Decision Policy::Pick(const PickRequest& request) const {
  // Reading the clock costs little, but nothing at all when no route measures time.
  return Pick(request, reads_clock_ ? Clock::now() : Clock::time_point{});
}

Decision Policy::Pick(const PickRequest& request, Clock::time_point now) const {
  return Decide(request, now, false);
}

Decision Policy::Explain(const PickRequest& request) const {
  return Decide(request, reads_clock_ ? Clock::now() : Clock::time_point{}, true);
}

Decision Policy::Decide(const PickRequest& request, Clock::time_point now, bool dry_run) const {
  if (fail_closed_) return Decision::Error(*fail_closed_, "config");
  if (config_.deny) {
    PluginError error;
    error.code = "scheduler_denied";
    error.message = kDeniedMessage;
    return Decision::Error(std::move(error), "deny");
  }
  // A delegate that is not a built-in leaves the pick unhandled by the reference keys
  // (auth_id is not consulted, as in the reference plugin): the routes may still decide.
  const bool has_delegate = !config_.delegate.empty();
  if (has_delegate) {
    if (IsBuiltin(config_.delegate)) return Decision::Delegate(config_.delegate, "delegate");
  } else if (!config_.auth_id.empty()) {
    for (const Candidate& c : request.candidates) {
      if (c.id == config_.auth_id) return Decision::Auth(c.id, "auth_id");
    }
  }
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (std::optional<Decision> decision = routes_[i]->Evaluate(request, now, dry_run)) {
      decision->route = static_cast<int>(i);
      return *decision;
    }
  }
  if (no_route_) return Decision::Error(*no_route_, "no_route");
  return has_delegate ? Decision::Unhandled("delegate") : Decision::Unhandled();
}

void Policy::ObserveUsage(const UsageRecord& record) const {
  if (!usage_observers_.empty()) ObserveUsage(record, Clock::now());
}

void Policy::ObserveUsage(const UsageRecord& record, Clock::time_point now) const {
  for (UsageObserver* observer : usage_observers_) observer->Observe(record, now);
}

std::vector<Policy::RouteInfo> Policy::Routes() const {
  std::vector<RouteInfo> out;
  for (const std::unique_ptr<Route>& route : routes_) {
    RouteInfo info{route->name(), route->strategy_name(), 0, 0};
    if (auto it = states_.find(route->name()); it != states_.end()) {
      it->second->ForEachState([&](const std::shared_ptr<StrategyState>& s) {
        info.records += s->Records();
        info.sessions += s->Sessions();
      });
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<Policy::RouteStatus> Policy::StatusOfRoutes() const {
  std::vector<RouteStatus> out;
  out.reserve(routes_.size());
  for (size_t i = 0; i < routes_.size(); ++i) {
    RouteStatus status{routes_[i]->name(), routes_[i]->strategy_name(), counters_[i], {}};
    if (auto it = states_.find(routes_[i]->name()); it != states_.end()) {
      it->second->ForEachState([&](const std::shared_ptr<StrategyState>& s) {
        if (s.get() != counters_[i].get()) status.states.push_back(s);
      });
    }
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace cliproxy::scheduler

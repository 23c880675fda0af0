#include "scheduler/route.hpp"

#include <vector>

#include "base/hash.hpp"
#include "scheduler/config_check.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {
namespace {

// Fails when a strategy key is written but no strategy of the route reads it: such a key
// is almost always a mistake (a typo in `strategy`, a forgotten line).
void CheckKeysUsed(const RouteConfig& config, const std::vector<const StrategyInfo*>& used,
                   std::string_view strategy) {
  for (const StrategyKey* key : StrategyKeys()) {
    const std::string name(key->name);
    if (!config.Has(name)) continue;
    bool read = false;
    for (const StrategyInfo* info : used) read = read || Reads(*info, name);
    if (read) continue;
    FailAt(config, name,
           "`" + name + "` is only read by strategy " + StrategiesReading(name) +
               ", and this route uses `" + std::string(strategy) + "`");
  }
}

// `pool.max_in_flight`: the route's PoolInFlight (kept across reconfigures that keep the
// route's name, whatever the cap becomes), or null without a cap.
std::shared_ptr<PoolInFlight> CompileInFlightCap(const RouteConfig& config,
                                                 const std::vector<const StrategyInfo*>& used,
                                                 RouteState& state,
                                                 const std::shared_ptr<const Logger>& logger,
                                                 std::vector<StoredStateUse>* stored) {
  if (!config.pool.max_in_flight.has_value()) return nullptr;
  if (*config.pool.max_in_flight < 1) FailAt(config, "pool.max_in_flight", "must be 1 or more");
  for (const StrategyInfo* info : used) {
    if (info->picks_account) continue;
    FailAt(config, "pool.max_in_flight",
           "strategy `" + std::string(info->name) +
               "` does not choose an account of the pool, so no cap on picks in flight can "
               "hold");
  }
  bool fresh = false;
  std::shared_ptr<PoolInFlight> in_flight =
      state.Obtain<PoolInFlight>("pool.max_in_flight", [&](std::shared_ptr<PoolInFlight> previous) {
        if (previous) return previous;
        fresh = true;
        return std::make_shared<PoolInFlight>(config.name, logger);
      });
  // Shared by a Redis store, so that the cap holds across the fleet.
  if (stored != nullptr) stored->push_back({in_flight, fresh, {}});
  return in_flight;
}

}  // namespace

PluginError CompileRouteError(const RouteConfig& config, int status, const char* code,
                              std::string message) {
  PluginError e;
  const RouteConfig::Error& given = config.error;
  const int64_t s = given.status.value_or(status);
  if (s != 0 && (s < 400 || s > 599)) {
    FailAt(config, "error.status", "must be an HTTP error status (400-599), or 0 for none");
  }
  e.http_status = static_cast<int>(s);
  e.code = given.code.value_or(code);
  if (e.code.empty()) FailAt(config, "error.code", "must not be empty");
  e.message = given.message.value_or(std::move(message));
  return e;
}

std::unique_ptr<Route> Route::Compile(const RouteConfig& config, RouteState& state,
                                      bool across_priorities,
                                      const std::shared_ptr<const Logger>& logger,
                                      const StateStore* store,
                                      std::vector<StoredStateUse>* stored) {
  std::unique_ptr<Route> route(new Route());
  const std::string& tiers = config.pool.tiers;
  if (config.Has("pool.tiers") && !across_priorities) {
    FailAt(config, "pool.tiers",
           "only read with `across_priorities: true` (without it the host offers one priority "
           "tier only)");
  }
  if (!tiers.empty() && tiers != "highest" && tiers != "all") {
    FailAt(config, "pool.tiers", "unknown value \"" + tiers + "\" (known: highest, all)");
  }
  route->top_tier_only_ = across_priorities && tiers != "all";
  route->name_ = config.name;
  route->rule_ = config.path + " " + config.name;
  route->condition_ = RouteCondition::Compile(config);
  route->pool_ = PoolFilter::Compile(config);

  route->strategy_name_ = config.strategy.empty() ? std::string(kDefaultStrategy) : config.strategy;
  StrategyBuild build{config, state, logger, store, stored};
  route->strategy_ = BuildStrategy(build, "strategy", route->strategy_name_, false);

  if (config.when_empty.empty() || config.when_empty == "deny") {
    route->when_empty_ = WhenEmpty::kDeny;
  } else if (config.when_empty == "next") {
    route->when_empty_ = WhenEmpty::kNext;
  } else if (config.when_empty == "pass") {
    route->when_empty_ = WhenEmpty::kPass;
  } else {
    FailAt(config, "when_empty",
           "unknown value \"" + config.when_empty + "\" (known: deny, next, pass)");
  }

  // The strategies the route runs: its own and its fallback (both known once built).
  std::vector<const StrategyInfo*> used = {FindStrategy(route->strategy_name_)};
  if (used.front()->fallback != nullptr) {
    used.push_back(FindStrategy(used.front()->fallback(config)));
  }
  CheckKeysUsed(config, used, route->strategy_name_);
  bool denies = false;
  for (const StrategyInfo* info : used) {
    denies = denies || info->denies;
    route->reads_usage_ = route->reads_usage_ || info->reads_usage;
    route->reads_clock_ = route->reads_clock_ || info->reads_clock;
  }
  route->in_flight_ = CompileInFlightCap(config, used, state, logger, stored);
  if (route->in_flight_) {
    route->max_in_flight_ = *config.pool.max_in_flight;
    // Records end picks in flight (the host must send them), and picks read the clock.
    route->reads_usage_ = true;
    route->reads_clock_ = true;
  }
  if (config.Has("error") && !denies && route->when_empty_ != WhenEmpty::kDeny) {
    FailAt(config, "error",
           "`error` is only used by strategy `deny` and by `when_empty: deny`, and this route "
           "has neither");
  }
  route->deny_error_ = CompileRouteError(config, kDefaultDenyStatus, kDefaultDenyCode,
                                         "scheduler pick denied by route \"" + config.name + "\"");
  route->empty_error_ = CompileRouteError(config, kDefaultEmptyStatus, kDefaultEmptyCode,
                                          "no account available for route \"" + config.name + "\"");
  return route;
}

std::optional<Decision> Route::Empty() const {
  switch (when_empty_) {
    case WhenEmpty::kDeny:
      return Decision::Error(empty_error_, rule_);
    case WhenEmpty::kNext:
      return std::nullopt;
    case WhenEmpty::kPass:
      return Decision::Unhandled(rule_);
  }
  return std::nullopt;
}

std::optional<Decision> Route::Evaluate(const PickRequest& request, Clock::time_point now,
                                        bool dry_run) const {
  if (!condition_.Matches(request)) return std::nullopt;
  // Reused per thread so that a pick does not allocate the pool.
  thread_local std::vector<const Candidate*> pool;
  pool.clear();
  int64_t top = 0;
  for (const Candidate& c : request.candidates) {
    if (c.id.empty()) continue;  // not an account the host could be answered with
    if (!pool_.accepts_all() && !pool_.Accepts(c)) continue;
    if (top_tier_only_) {
      if (!pool.empty() && c.priority < top) continue;
      if (pool.empty() || c.priority > top) {
        pool.clear();
        top = c.priority;
      }
    }
    pool.push_back(&c);
  }
  if (in_flight_) {
    std::erase_if(pool, [&](const Candidate* c) {
      return in_flight_->Count(Hash64(c->id), now) >= max_in_flight_;
    });
  }
  if (pool.empty()) return Empty();
  const Outcome outcome = Choose(request, pool, now, dry_run);
  switch (outcome.kind) {
    case Outcome::Kind::kAuth:
      return Decision::Auth(outcome.auth->id, rule_);
    case Outcome::Kind::kDelegate:
      return Decision::Delegate(std::string(outcome.delegate), rule_);
    case Outcome::Kind::kDeny:
      return Decision::Error(deny_error_, rule_);
    case Outcome::Kind::kPass:
      return Decision::Unhandled(rule_);
    case Outcome::Kind::kNoChoice:
      return Empty();
  }
  return Empty();
}

Outcome Route::Choose(const PickRequest& request, std::vector<const Candidate*>& pool,
                      Clock::time_point now, bool dry_run) const {
  for (;;) {
    const Outcome outcome = strategy_->Pick(PickContext{request, pool, now, dry_run});
    if (!in_flight_ || dry_run || outcome.kind != Outcome::Kind::kAuth) return outcome;
    if (in_flight_->TryPick(Hash64(outcome.auth->id), max_in_flight_, now)) return outcome;
    std::erase(pool, outcome.auth);
    if (pool.empty()) return Outcome::NoChoice();
  }
}

void Route::AddFields(json::PickFields* fields) const {
  condition_.AddFields(fields);
  pool_.AddFields(fields);
  strategy_->AddFields(fields);
}

}  // namespace cliproxy::scheduler

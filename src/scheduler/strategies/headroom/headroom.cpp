#include "scheduler/strategies/headroom/headroom.hpp"

#include <cmath>
#include <string>

#include "base/hash.hpp"
#include "scheduler/config_check.hpp"
#include "scheduler/strategies/headroom/headroom_config.hpp"

namespace cliproxy::scheduler {
namespace {

// What a pick knows of one pool account, and the order in which accounts are preferred.
struct Choice {
  enum Rank { kProbe = 0, kKnown = 1, kUnknownBusy = 2 };
  const Candidate* candidate = nullptr;
  uint64_t hash = 0;
  Rank rank = kProbe;
  QuotaState::Reading reading;
  // The share of its quota left per second until its soonest reset: how fast it must be
  // spent not to expire unused (0 when no reset is known).
  double urgency = 0;
};

double Urgency(const QuotaState::Reading& r, int64_t usage_now) {
  if (r.soonest_reset == QuotaState::kNoReset || r.soonest_reset <= usage_now) return 0;
  const double seconds = static_cast<double>(r.soonest_reset - usage_now) / 1e9;
  return (1 - r.utilization) / seconds;
}

bool Before(const Choice& a, const Choice& b, HeadroomStrategy::Prefer prefer) {
  if (a.rank != b.rank) return a.rank < b.rank;
  const QuotaState::Reading& x = a.reading;
  const QuotaState::Reading& y = b.reading;
  if (a.rank == Choice::kKnown) {
    if (prefer == HeadroomStrategy::Prefer::kSoonestReset) {
      if (a.urgency != b.urgency) return a.urgency > b.urgency;
      if (x.soonest_reset != y.soonest_reset) return x.soonest_reset < y.soonest_reset;
    } else {
      if (x.utilization != y.utilization) return x.utilization < y.utilization;
      if (x.soonest_reset != y.soonest_reset) return x.soonest_reset < y.soonest_reset;
    }
  } else if (a.rank == Choice::kUnknownBusy && x.in_flight != y.in_flight) {
    return x.in_flight < y.in_flight;
  }
  return a.candidate->id < b.candidate->id;
}

}  // namespace

const StrategyInfo& HeadroomStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kQuotaKey};
  static constexpr StrategyInfo kInfo{.name = "headroom",
                                      .keys = kKeys,
                                      .create = &HeadroomStrategy::Create,
                                      .reads_usage = true,
                                      .reads_clock = true};
  return kInfo;
}

std::unique_ptr<Strategy> HeadroomStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const QuotaConfig& quota = route.Key<QuotaConfig>(kQuotaKey.name);
  std::unique_ptr<HeadroomStrategy> s(new HeadroomStrategy());
  s->max_utilization_ = quota.max_utilization.value_or(kDefaultMaxUtilization);
  if (!std::isfinite(s->max_utilization_) || s->max_utilization_ <= 0 || s->max_utilization_ > 1) {
    FailAt(route, "quota.max_utilization",
           "must be a share above 0 and at most 1 (0.95: leave out an account once a window is "
           "95% used)");
  }
  if (quota.prefer.empty() || quota.prefer == "soonest-reset") {
    s->prefer_ = Prefer::kSoonestReset;
  } else if (quota.prefer == "most-headroom") {
    s->prefer_ = Prefer::kMostHeadroom;
  } else {
    FailAt(route, "quota.prefer",
           "unknown value \"" + quota.prefer + "\" (known: soonest-reset, most-headroom)");
  }
  bool fresh = false;
  s->quota_ = build.state.Obtain<QuotaState>("headroom", [&](std::shared_ptr<QuotaState> previous) {
    if (previous) return previous;
    fresh = true;
    return std::make_shared<QuotaState>(route.name, build.logger);
  });
  if (build.stored != nullptr) build.stored->push_back({s->quota_, fresh, {}});
  return s;
}

Outcome HeadroomStrategy::Pick(const PickContext& context) const {
  const int64_t usage_now = quota_->Now(context.now);
  // When the chosen account can get no entry (the table is full), so can no account that
  // has none: they are left out and the choice is made again.
  bool full = false;
  for (;;) {
    Choice best;
    for (const Candidate* c : context.pool) {
      Choice choice;
      choice.candidate = c;
      choice.hash = Hash64(c->id);
      choice.reading = quota_->Read(choice.hash, usage_now, context.now);
      const QuotaState::Reading& r = choice.reading;
      if (r.refused || (full && !r.tracked)) continue;
      if (r.known) {
        if (r.utilization >= max_utilization_) continue;
        choice.rank = Choice::kKnown;
        choice.urgency = Urgency(r, usage_now);
      } else {
        choice.rank = r.in_flight == 0 ? Choice::kProbe : Choice::kUnknownBusy;
      }
      if (best.candidate == nullptr || Before(choice, best, prefer_)) best = choice;
    }
    if (best.candidate == nullptr) return Outcome::NoChoice();
    if (context.dry_run || quota_->Picked(best.hash, context.now)) {
      return Outcome::Auth(best.candidate);
    }
    full = true;
  }
}

}  // namespace cliproxy::scheduler

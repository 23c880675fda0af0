#include "scheduler/strategies/fastest/fastest.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/hash.hpp"
#include "scheduler/config_check.hpp"
#include "scheduler/strategies/fastest/fastest_config.hpp"

namespace cliproxy::scheduler {
namespace {

int64_t Nanos(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

std::chrono::milliseconds DurationAt(const RouteConfig& route, const std::string& key,
                                     const std::optional<std::string>& text,
                                     std::chrono::milliseconds fallback) {
  if (!text.has_value()) return fallback;
  std::string error;
  std::optional<std::chrono::milliseconds> parsed = ParseDuration(*text, &error);
  if (!parsed) FailAt(route, key, error);
  return *parsed;
}

// to - from (ns) for from <= to. In double: usage times span more than int64 can
// subtract (a record of 1700 after one of 2025), and a wrapped span would weigh a sample
// 2^(+huge) = inf and turn the average into NaN for good.
double Span(int64_t from, int64_t to) {
  return static_cast<double>(to) - static_cast<double>(from);
}

// An account unseen (no pick, no sample) for this long may lose its average to a new
// account when the table needs room: then it counts as never measured, and its next pick
// measures it again.
constexpr Clock::duration kMinForgetAfter = std::chrono::hours(1);

}  // namespace

LatencyAverages::LatencyAverages(Settings settings, std::string route,
                                 std::shared_ptr<const Logger> logger, size_t max_accounts)
    : settings_(settings),
      forget_after_(std::max<Clock::duration>(kMinForgetAfter, 4 * settings.half_life)),
      route_(std::move(route)),
      logger_(std::move(logger)),
      accounts_(max_accounts) {}

void LatencyAverages::Entry::Reset() {
  sum = 0;
  weight = 0;
  last = 0;
  active = {};
  average.store(0, std::memory_order_release);
  last_sample.store(0, std::memory_order_release);
  measured.store(false, std::memory_order_release);
  in_flight.Reset();
}

bool LatencyAverages::Idle(Entry& e, Clock::time_point now) const {
  return e.in_flight.Count(now, expiry_) == 0 && now - e.active > forget_after_;
}

void LatencyAverages::Refused() {
  if (logger_ && !warned_.exchange(true, std::memory_order_relaxed)) {
    logger_->Warn("scheduler: route \"" + route_ + "\" (fastest) tracks at most " +
                  std::to_string(accounts_.max_accounts()) +
                  " accounts in use and is full: accounts it cannot track are not picked by "
                  "this route until others go unused (logged once)");
  }
}

void LatencyAverages::Observe(const UsageRecord& record, Clock::time_point now) {
  const int64_t end = clock_.Observe(record, now);
  int64_t sample = record.latency_ns;
  if (settings_.measure == Measure::kTtft && record.ttft_ns > 0) sample = record.ttft_ns;
  if (record.failed) sample = std::max(sample, Nanos(settings_.failure_penalty));
  expiry_.Observe(record.latency_ns, now);
  if (record.auth_id.empty()) return;
  const double half_life = static_cast<double>(Nanos(settings_.half_life));
  const bool stored = accounts_.Update(
      Hash64(record.auth_id),
      [&](Entry& e) {
        e.in_flight.Finished(record.latency_ns, now, expiry_);
        e.active = std::max(e.active, now);
        if (sample <= 0) return;  // a record without a time says nothing about speed
        const double x = static_cast<double>(sample);
        if (e.weight == 0 || end >= e.last) {
          const double decay = e.weight == 0 ? 0 : std::exp2(-Span(e.last, end) / half_life);
          e.sum = e.sum * decay + x;
          e.weight = e.weight * decay + 1;
          e.last = end;
        } else {  // a sample older than the latest one weighs what it would have by now
          const double w = std::exp2(-Span(end, e.last) / half_life);
          e.sum += w * x;
          e.weight += w;
        }
        e.average.store(e.sum / e.weight, std::memory_order_release);
        e.last_sample.store(e.last, std::memory_order_release);
        e.measured.store(true, std::memory_order_release);
      },
      [&](Entry& e) { return Idle(e, now); });
  if (!stored) Refused();
}

LatencyAverages::Reading LatencyAverages::Read(uint64_t hash, Clock::time_point now) {
  Reading r;
  r.tracked = accounts_.Find(hash, [&](const Entry& e) {
    r.measured = e.measured.load(std::memory_order_acquire);
    r.average_ns = e.average.load(std::memory_order_acquire);
    r.last_sample = e.last_sample.load(std::memory_order_acquire);
    r.in_flight = e.in_flight.Count(now, expiry_);
  });
  if (!r.tracked) r = Reading{};
  return r;
}

void LatencyAverages::ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const {
  bool measured = false;
  double average = 0;
  int64_t in_flight = 0;
  const bool tracked = accounts_.Find(hash, [&](const Entry& e) {
    measured = e.measured.load(std::memory_order_acquire);
    average = e.average.load(std::memory_order_acquire);
    in_flight = e.in_flight.Count(now, expiry_);
  });
  out->in_flight = tracked ? in_flight : 0;
  if (tracked && measured) out->latency_ms = average / 1e6;
}

bool LatencyAverages::Picked(uint64_t hash, Clock::time_point now) {
  const bool counted = accounts_.Update(
      hash,
      [this, now](Entry& e) {
        e.in_flight.Picked(now, expiry_);
        e.active = std::max(e.active, now);
      },
      [&](Entry& e) { return Idle(e, now); });
  if (!counted) Refused();
  return counted;
}

const StrategyInfo& FastestStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kLatencyKey};
  static constexpr StrategyInfo kInfo{.name = "fastest",
                                      .keys = kKeys,
                                      .create = &FastestStrategy::Create,
                                      .reads_usage = true,
                                      .reads_clock = true};
  return kInfo;
}

std::unique_ptr<Strategy> FastestStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const LatencyConfig& config = route.Key<LatencyConfig>(kLatencyKey.name);
  std::unique_ptr<FastestStrategy> s(new FastestStrategy());
  LatencyAverages::Settings settings;
  if (config.measure.empty() || config.measure == "latency") {
    settings.measure = LatencyAverages::Measure::kLatency;
  } else if (config.measure == "ttft") {
    settings.measure = LatencyAverages::Measure::kTtft;
  } else {
    FailAt(route, "latency.measure",
           "unknown measure \"" + config.measure + "\" (known: latency, ttft)");
  }
  settings.half_life =
      DurationAt(route, "latency.half_life", config.half_life, kDefaultLatencyHalfLife);
  if (settings.half_life < std::chrono::seconds(1)) {
    FailAt(route, "latency.half_life", "must be at least 1s");
  }
  settings.failure_penalty =
      DurationAt(route, "latency.failure_penalty", config.failure_penalty, kDefaultFailurePenalty);
  const double explore = config.explore.value_or(kDefaultExplore);
  if (!(explore >= 0 && explore <= 1)) {
    FailAt(route, "latency.explore", "must be between 0 (never) and 1 (every pick)");
  }
  // 1 / explore beyond 10^15 picks is "never" in practice; llround of more is undefined.
  s->explore_every_ =
      explore == 0 ? 0 : static_cast<uint64_t>(std::llround(std::min(1 / explore, 1e15)));
  s->averages_ = build.state.Obtain<LatencyAverages>(
      "fastest", [&](std::shared_ptr<LatencyAverages> previous) {
        return previous && previous->settings() == settings
                   ? previous
                   : std::make_shared<LatencyAverages>(settings, route.name, build.logger);
      });
  return s;
}

Outcome FastestStrategy::Pick(const PickContext& context) const {
  const uint64_t n = context.dry_run ? averages_->Picks() : averages_->CountPick();
  const bool explore = explore_every_ > 0 && (n + 1) % explore_every_ == 0;

  // One pass reads every account; a second compares them, so the readings are kept.
  thread_local std::vector<Seen> seen;
  seen.clear();
  double best_average = 0;
  bool any_measured = false;
  for (const Candidate* c : context.pool) {
    const uint64_t hash = Hash64(c->id);
    Seen s{c, hash, averages_->Read(hash, context.now)};
    if (s.reading.measured && (!any_measured || s.reading.average_ns < best_average)) {
      best_average = s.reading.average_ns;
      any_measured = true;
    }
    seen.push_back(s);
  }

  // An account that can get no entry (the table is full) is left out and the choice made
  // again among the others.
  for (;;) {
    const Seen* best = Choose(seen, explore, best_average);
    if (best == nullptr) return Outcome::NoChoice();
    if (context.dry_run || averages_->Picked(best->hash, context.now)) {
      return Outcome::Auth(best->candidate);
    }
    // The table is full: no account without an entry can get one in this pick either.
    const uint64_t refused = best->hash;
    std::erase_if(seen, [&](const Seen& s) { return s.hash == refused || !s.reading.tracked; });
  }
}

const FastestStrategy::Seen* FastestStrategy::Choose(const std::vector<Seen>& seen, bool explore,
                                                     double best_average) {
  const Seen* best = nullptr;
  if (explore) {
    // The least recently measured account: never measured first (fewest in flight).
    // An account already picked and not yet reported is being re-measured: the next
    // exploration goes elsewhere.
    auto staler = [](const Seen& a, const Seen& b) {
      if (a.reading.measured != b.reading.measured) return !a.reading.measured;
      if (a.reading.in_flight != b.reading.in_flight) {
        return a.reading.in_flight < b.reading.in_flight;
      }
      if (a.reading.measured && a.reading.last_sample != b.reading.last_sample) {
        return a.reading.last_sample < b.reading.last_sample;
      }
      return a.candidate->id < b.candidate->id;
    };
    for (const Seen& s : seen) {
      if (best == nullptr || staler(s, *best)) best = &s;
    }
  } else {
    auto score = [&](const Seen& s) {
      const double average = s.reading.measured ? s.reading.average_ns : best_average;
      return average * static_cast<double>(s.reading.in_flight + 1);
    };
    auto better = [&](const Seen& a, const Seen& b) {
      const double sa = score(a), sb = score(b);
      if (sa != sb) return sa < sb;
      if (a.reading.in_flight != b.reading.in_flight) {
        return a.reading.in_flight < b.reading.in_flight;
      }
      if (a.reading.measured != b.reading.measured) return !a.reading.measured;
      return a.candidate->id < b.candidate->id;
    };
    for (const Seen& s : seen) {
      if (best == nullptr || better(s, *best)) best = &s;
    }
  }
  return best;
}

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/fastest/fastest.hpp"

#include <algorithm>
#include <bit>
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
      accounts_(max_accounts),
      store_name_("fastest/" + route_ +
                  (settings.measure == Measure::kTtft ? "/ttft/" : "/latency/") +
                  std::to_string(settings.half_life.count()) + "/" +
                  std::to_string(settings.failure_penalty.count())) {}

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

namespace {
// Bounds of what is read back: times (Unix ns) up to about 2116, averages up to a day, the
// decayed weight of at most 2^40 samples.
constexpr int64_t kMaxTimeNs = int64_t{1} << 62;
constexpr double kMaxAverageNs = 86400e9;
constexpr double kMaxWeight = 1099511627776.0;
}  // namespace

std::string LatencyAverages::Save(const StoreTime& t) const {
  SnapshotWriter out;
  out.I64(clock_.Now(t.now));
  out.I64(t.wall_ns);
  SnapshotWriter entries;
  uint64_t count = 0;
  accounts_.ForEachHeld([&](uint64_t hash, Entry& e) {
    if (e.weight <= 0) return;
    ++count;
    entries.U64(hash);
    entries.U64(std::bit_cast<uint64_t>(e.sum));
    entries.U64(std::bit_cast<uint64_t>(e.weight));
    entries.I64(e.last);
  });
  out.U64(count);
  std::string body = out.Take();
  body += entries.bytes();
  return body;
}

bool LatencyAverages::Restore(std::string_view body, const StoreTime& t) {
  SnapshotReader in(body);
  int64_t usage_now = 0, wall = 0;
  uint64_t count = 0;
  if (!in.I64(&usage_now) || !in.I64(&wall) || !in.U64(&count)) return false;
  if ((usage_now != UsageClock::kUnset && (usage_now < 0 || usage_now > kMaxTimeNs)) || wall < 0 ||
      wall > kMaxTimeNs || count > accounts_.max_accounts()) {
    return false;
  }
  // Everything is read and checked before anything is merged: a malformed body changes
  // nothing.
  struct Saved {
    uint64_t hash;
    double sum, weight;
    int64_t last;
  };
  std::vector<Saved> saved;
  saved.reserve(static_cast<size_t>(std::min<uint64_t>(count, 4096)));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t hash = 0, sum = 0, weight = 0;
    int64_t last = 0;
    if (!in.U64(&hash) || !in.U64(&sum) || !in.U64(&weight) || !in.I64(&last)) return false;
    const Saved s{hash, std::bit_cast<double>(sum), std::bit_cast<double>(weight), last};
    if (!std::isfinite(s.sum) || !std::isfinite(s.weight) || s.weight <= 0 ||
        s.weight > kMaxWeight || s.sum < 0 || s.sum / s.weight > kMaxAverageNs || s.last < 0 ||
        s.last > kMaxTimeNs) {
      return false;
    }
    saved.push_back(s);
  }
  if (!in.done()) return false;
  if (usage_now != UsageClock::kUnset) {
    const int64_t down = std::clamp<int64_t>(t.wall_ns - wall, 0, UsageClock::kMaxLead);
    clock_.Resume(usage_now + down, t.now);  // both at most 2^62: no overflow
  }
  for (const Saved& s : saved) {
    accounts_.Update(
        s.hash,
        [&](Entry& e) {
          if (e.weight > 0) return;  // measured here already: live state wins
          e.sum = s.sum;
          e.weight = s.weight;
          e.last = s.last;
          e.active = std::max(e.active, t.now);
          e.average.store(s.sum / s.weight, std::memory_order_release);
          e.last_sample.store(s.last, std::memory_order_release);
          e.measured.store(true, std::memory_order_release);
        },
        [&](Entry& e) { return Idle(e, t.now); });
  }
  return true;
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
  bool fresh = false;
  s->averages_ = build.state.Obtain<LatencyAverages>(
      "fastest", [&](std::shared_ptr<LatencyAverages> previous) {
        if (previous && previous->settings() == settings) return previous;
        fresh = true;
        return std::make_shared<LatencyAverages>(settings, route.name, build.logger);
      });
  if (build.stored != nullptr) build.stored->push_back({s->averages_, fresh, {}});
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

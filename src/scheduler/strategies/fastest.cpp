#include "scheduler/strategies/fastest.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "scheduler/config_check.hpp"
#include "scheduler/duration.hpp"
#include "scheduler/hash.hpp"

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

}  // namespace

void LatencyAverages::Observe(const UsageRecord& record, Clock::time_point now) {
  const int64_t end = clock_.Observe(record, now);
  int64_t sample = record.latency_ns;
  if (settings_.measure == Measure::kTtft && record.ttft_ns > 0) sample = record.ttft_ns;
  if (record.failed) sample = std::max(sample, Nanos(settings_.failure_penalty));
  if (record.auth_id.empty()) return;
  const double half_life = static_cast<double>(Nanos(settings_.half_life));
  Entry* e = accounts_.FindOrCreate(Hash64(record.auth_id));
  if (e == nullptr) return;  // the table is full
  std::lock_guard<std::mutex> lock(e->mutex);
  e->in_flight.Finished();
  if (sample <= 0) return;  // a record without a time says nothing about speed
  const double x = static_cast<double>(sample);
  if (e->weight == 0 || end >= e->last) {
    const double decay = e->weight == 0 ? 0 : std::exp2(-Span(e->last, end) / half_life);
    e->sum = e->sum * decay + x;
    e->weight = e->weight * decay + 1;
    e->last = end;
  } else {  // a sample older than the latest one weighs what it would have by now
    const double w = std::exp2(-Span(end, e->last) / half_life);
    e->sum += w * x;
    e->weight += w;
  }
  e->average.store(e->sum / e->weight, std::memory_order_relaxed);
  e->last_sample.store(e->last, std::memory_order_relaxed);
  e->measured.store(true, std::memory_order_release);
}

LatencyAverages::Reading LatencyAverages::Read(uint64_t hash, Clock::time_point now) {
  Reading r;
  const Entry* e = accounts_.Find(hash);
  if (e == nullptr) return r;
  r.measured = e->measured.load(std::memory_order_acquire);
  r.average_ns = e->average.load(std::memory_order_relaxed);
  r.last_sample = e->last_sample.load(std::memory_order_relaxed);
  r.in_flight = e->in_flight.Count(now);
  return r;
}

void LatencyAverages::Picked(uint64_t hash, Clock::time_point now) {
  CountPickInFlight(accounts_, hash, now);
}

std::unique_ptr<Strategy> FastestStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const RouteConfig::Latency& config = route.latency;
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
                   : std::make_shared<LatencyAverages>(settings);
      });
  return s;
}

Outcome FastestStrategy::Pick(const PickContext& context) const {
  const uint64_t n = averages_->CountPick();
  const bool explore = explore_every_ > 0 && (n + 1) % explore_every_ == 0;

  // One pass reads every account; a second compares them, so the readings are kept.
  struct Seen {
    const Candidate* candidate;
    uint64_t hash;
    LatencyAverages::Reading reading;
  };
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
  averages_->Picked(best->hash, context.now);
  return Outcome::Auth(best->candidate);
}

}  // namespace cliproxy::scheduler

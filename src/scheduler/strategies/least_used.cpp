#include "scheduler/strategies/least_used.hpp"

#include <algorithm>
#include <string>

#include "scheduler/config_check.hpp"
#include "scheduler/duration.hpp"
#include "scheduler/hash.hpp"

namespace cliproxy::scheduler {
namespace {

int Index(int64_t epoch) {
  const int64_t k = UsageWindow::kBuckets;
  return static_cast<int>(((epoch % k) + k) % k);
}

// Go reports TotalTokens; a provider that leaves it 0 still reports its parts.
int64_t RecordTokens(const UsageRecord& record) {
  const UsageDetail& d = record.detail;
  return d.total_tokens > 0 ? d.total_tokens : d.input_tokens + d.output_tokens;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

UsageWindow::UsageWindow(std::chrono::milliseconds window)
    : window_(window),
      bucket_ns_(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(window).count() / kBuckets)) {}

void UsageWindow::Entry::Advance(int64_t epoch) {
  if (epoch == kNoEpoch) return;
  if (head == kNoEpoch) {
    head = epoch;
    return;
  }
  if (epoch <= head) return;
  const int64_t steps = std::min<int64_t>(epoch - head, kBuckets);
  for (int64_t i = 1; i <= steps; ++i) {
    const int idx = Index(head + i);
    sum_requests -= requests[idx];
    sum_tokens -= tokens[idx];
    requests[idx] = 0;
    tokens[idx] = 0;
  }
  head = epoch;
}

void UsageWindow::Entry::Add(int64_t epoch, int64_t record_tokens) {
  Advance(epoch);
  if (epoch <= head - kBuckets) return;  // ended before the window: counts for nothing
  const int idx = Index(epoch);
  requests[idx] += 1;
  tokens[idx] += record_tokens;
  sum_requests += 1;
  sum_tokens += record_tokens;
}

int64_t UsageWindow::Epoch(Clock::time_point now) const {
  const int64_t t = clock_.Now(now);
  return t == UsageClock::kUnset ? kNoEpoch : FloorDiv(t, bucket_ns_);
}

void UsageWindow::Observe(const UsageRecord& record, Clock::time_point now) {
  const int64_t end = clock_.Observe(record, now);
  const int64_t record_tokens = std::max<int64_t>(0, RecordTokens(record));
  total_requests_.fetch_add(1, std::memory_order_relaxed);
  total_tokens_.fetch_add(record_tokens, std::memory_order_relaxed);
  if (record.auth_id.empty()) return;
  const int64_t epoch = FloorDiv(end, bucket_ns_);
  const int64_t current = Epoch(now);
  accounts_.Visit(Hash64(record.auth_id), /*create=*/true, [&](Entry& e) {
    e.Advance(current);
    e.Add(epoch, record_tokens);
    e.in_flight.Finished();
  });
}

UsageWindow::Reading UsageWindow::Read(uint64_t hash, Clock::time_point now) {
  Reading r;
  const int64_t epoch = Epoch(now);
  accounts_.Visit(hash, /*create=*/false, [&](Entry& e) {
    e.Advance(epoch);
    r.requests = e.sum_requests;
    r.tokens = e.sum_tokens;
    r.in_flight = e.in_flight.Count(now);
  });
  return r;
}

void UsageWindow::Picked(uint64_t hash, Clock::time_point now) {
  accounts_.Visit(hash, /*create=*/true, [&](Entry& e) { e.in_flight.Picked(now); });
}

int64_t UsageWindow::MeanTokens() const {
  const int64_t n = total_requests_.load(std::memory_order_relaxed);
  return n == 0 ? 0 : total_tokens_.load(std::memory_order_relaxed) / n;
}

std::unique_ptr<Strategy> LeastUsedStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  std::unique_ptr<LeastUsedStrategy> s(new LeastUsedStrategy());
  const std::string& measure = route.usage.measure;
  if (measure.empty() || measure == "tokens") {
    s->measure_ = Measure::kTokens;
  } else if (measure == "requests") {
    s->measure_ = Measure::kRequests;
  } else {
    FailAt(route, "usage.measure", "unknown measure \"" + measure + "\" (known: tokens, requests)");
  }
  std::chrono::milliseconds window = kDefaultUsageWindow;
  if (route.usage.window.has_value()) {
    std::string error;
    std::optional<std::chrono::milliseconds> parsed = ParseDuration(*route.usage.window, &error);
    if (!parsed) FailAt(route, "usage.window", error);
    if (*parsed < std::chrono::seconds(1)) FailAt(route, "usage.window", "must be at least 1s");
    window = *parsed;
  }
  s->limit_ = route.usage.limit.value_or(0);
  if (s->limit_ < 0) FailAt(route, "usage.limit", "must be 0 (no limit) or more");
  s->window_ =
      build.state.Obtain<UsageWindow>("least-used", [&](std::shared_ptr<UsageWindow> previous) {
        return previous && previous->window() == window ? previous
                                                        : std::make_shared<UsageWindow>(window);
      });
  return s;
}

Outcome LeastUsedStrategy::Pick(const PickContext& context) const {
  const Candidate* best = nullptr;
  uint64_t best_hash = 0;
  int64_t best_score = 0;
  const int64_t route_mean = measure_ == Measure::kTokens ? window_->MeanTokens() : 1;
  for (const Candidate* c : context.pool) {
    const uint64_t hash = Hash64(c->id);
    const UsageWindow::Reading r = window_->Read(hash, context.now);
    int64_t used = r.requests;
    int64_t cost = 1;
    if (measure_ == Measure::kTokens) {
      used = r.tokens;
      cost = r.requests > 0 ? r.tokens / r.requests : route_mean;
      cost = std::max<int64_t>(cost, 1);
    }
    const int64_t score = used + r.in_flight * cost;
    if (limit_ > 0 && score >= limit_) continue;
    if (best == nullptr || score < best_score || (score == best_score && c->id < best->id)) {
      best = c;
      best_hash = hash;
      best_score = score;
    }
  }
  if (best == nullptr) return Outcome::NoChoice();
  window_->Picked(best_hash, context.now);
  return Outcome::Auth(best);
}

}  // namespace cliproxy::scheduler

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

// At most what one request can plausibly report (about 10^12): sums of garbage counts
// must not overflow (undefined for the buckets, a wrap to little usage for the sums).
constexpr int64_t kMaxRecordTokens = int64_t{1} << 40;

// Go reports TotalTokens; a provider that leaves it 0 still reports its parts.
int64_t RecordTokens(const UsageRecord& record) {
  const UsageDetail& d = record.detail;
  auto clamp = [](int64_t n) { return std::clamp<int64_t>(n, 0, kMaxRecordTokens); };
  return d.total_tokens > 0
             ? clamp(d.total_tokens)
             : std::min(clamp(d.input_tokens) + clamp(d.output_tokens), kMaxRecordTokens);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

UsageWindow::UsageWindow(std::chrono::milliseconds window)
    : window_(window),
      bucket_ns_(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(window).count() / kBuckets)) {}

void UsageWindow::Entry::Advance(int64_t epoch) {
  if (epoch == kNoEpoch || (head != kNoEpoch && epoch <= head)) return;
  if (head != kNoEpoch) {
    const int64_t steps = std::min<int64_t>(epoch - head, kBuckets);
    int64_t gone_requests = 0, gone_tokens = 0;
    for (int64_t i = 1; i <= steps; ++i) {
      const int idx = Index(head + i);
      gone_requests += requests[idx];
      gone_tokens += tokens[idx];
      requests[idx] = 0;
      tokens[idx] = 0;
    }
    sum_requests.fetch_sub(gone_requests, std::memory_order_release);
    sum_tokens.fetch_sub(gone_tokens, std::memory_order_release);
  }
  head = epoch;
  published_head.store(epoch, std::memory_order_release);
}

void UsageWindow::Entry::Add(int64_t epoch, int64_t record_tokens) {
  Advance(epoch);
  if (epoch <= head - kBuckets) return;  // ended before the window: counts for nothing
  const int idx = Index(epoch);
  requests[idx] += 1;
  tokens[idx] += record_tokens;
  sum_requests.fetch_add(1, std::memory_order_release);
  sum_tokens.fetch_add(record_tokens, std::memory_order_release);
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
  Entry* e = accounts_.FindOrCreate(Hash64(record.auth_id));
  if (e == nullptr) return;  // the table is full
  std::lock_guard<std::mutex> lock(e->mutex);
  e->Advance(Epoch(now));
  e->Add(FloorDiv(end, bucket_ns_), record_tokens);
  e->in_flight.Finished();
}

UsageWindow::Reading UsageWindow::Read(uint64_t hash, int64_t epoch, Clock::time_point now) {
  Reading r;
  Entry* e = accounts_.Find(hash);
  if (e == nullptr) return r;
  if (epoch != kNoEpoch && e->published_head.load(std::memory_order_acquire) < epoch) {
    std::lock_guard<std::mutex> lock(e->mutex);
    e->Advance(epoch);
  }
  r.requests = e->sum_requests.load(std::memory_order_acquire);
  r.tokens = e->sum_tokens.load(std::memory_order_acquire);
  r.in_flight = e->in_flight.Count(now);
  return r;
}

void UsageWindow::Picked(uint64_t hash, Clock::time_point now) {
  CountPickInFlight(accounts_, hash, now);
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
  const int64_t epoch = window_->Epoch(context.now);
  for (const Candidate* c : context.pool) {
    const uint64_t hash = Hash64(c->id);
    const UsageWindow::Reading r = window_->Read(hash, epoch, context.now);
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

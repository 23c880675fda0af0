#include "scheduler/strategies/least_used/least_used.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "base/duration.hpp"
#include "base/hash.hpp"
#include "scheduler/config_check.hpp"
#include "scheduler/strategies/least_used/least_used_config.hpp"

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

// Scores are sums of products of counts and costs of at most 2^40 each: saturate rather
// than wrap (a wrapped score would make the most used account the least used).
int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t product;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<int64_t>::max() : product;
}
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

UsageWindow::UsageWindow(std::chrono::milliseconds window, std::string route,
                         std::shared_ptr<const Logger> logger, size_t max_accounts)
    : window_(window),
      bucket_ns_(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(window).count() / kBuckets)),
      route_(std::move(route)),
      logger_(std::move(logger)),
      accounts_(max_accounts),
      store_name_("least-used/" + route_ + "/" + std::to_string(window.count())) {}

void UsageWindow::Entry::Reset() {
  requests.fill(0);
  tokens.fill(0);
  picks.fill(0);
  head = kNoEpoch;
  fresh = true;
  published_head.store(kNoEpoch, std::memory_order_release);
  sum_requests.store(0, std::memory_order_release);
  sum_tokens.store(0, std::memory_order_release);
  sum_picks.store(0, std::memory_order_release);
  unknown_until.store(kNoEpoch, std::memory_order_release);
  fleet_requests.store(0, std::memory_order_release);
  fleet_tokens.store(0, std::memory_order_release);
  fleet_picks.store(0, std::memory_order_release);
  fleet_in_flight.store(0, std::memory_order_release);
  in_flight.Reset();
}

void UsageWindow::Entry::Merge(int64_t epoch, int64_t r, int64_t t, int64_t p) {
  Advance(epoch);
  if (epoch <= head - kBuckets) return;
  const int idx = Index(epoch);
  requests[idx] += r;
  tokens[idx] += t;
  picks[idx] += p;
  sum_requests.fetch_add(r, std::memory_order_release);
  sum_tokens.fetch_add(t, std::memory_order_release);
  sum_picks.fetch_add(p, std::memory_order_release);
}

void UsageWindow::Entry::Advance(int64_t epoch) {
  if (epoch == kNoEpoch || (head != kNoEpoch && epoch <= head)) return;
  if (head != kNoEpoch) {
    const int64_t steps = std::min<int64_t>(epoch - head, kBuckets);
    int64_t gone_requests = 0, gone_tokens = 0, gone_picks = 0;
    for (int64_t i = 1; i <= steps; ++i) {
      const int idx = Index(head + i);
      gone_requests += requests[idx];
      gone_tokens += tokens[idx];
      gone_picks += picks[idx];
      requests[idx] = 0;
      tokens[idx] = 0;
      picks[idx] = 0;
    }
    sum_requests.fetch_sub(gone_requests, std::memory_order_release);
    sum_tokens.fetch_sub(gone_tokens, std::memory_order_release);
    sum_picks.fetch_sub(gone_picks, std::memory_order_release);
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

void UsageWindow::Entry::AddPick(int64_t epoch) {
  Advance(epoch);
  picks[Index(epoch)] += 1;
  sum_picks.fetch_add(1, std::memory_order_release);
}

int64_t UsageWindow::Epoch(Clock::time_point now) const {
  const int64_t t = clock_.Now(now);
  return t == UsageClock::kUnset ? kNoEpoch : FloorDiv(t, bucket_ns_);
}

void UsageWindow::Adopt(Entry& e) const {
  if (!e.fresh) return;
  e.fresh = false;
  e.unknown_until.store(lost_until_.load(std::memory_order_acquire), std::memory_order_release);
}

bool UsageWindow::Idle(Entry& e, int64_t epoch, Clock::time_point now) const {
  e.Advance(epoch);
  return e.sum_requests.load(std::memory_order_relaxed) == 0 &&
         e.sum_picks.load(std::memory_order_relaxed) == 0 &&
         e.fleet_requests.load(std::memory_order_relaxed) == 0 &&
         e.fleet_picks.load(std::memory_order_relaxed) == 0 &&
         e.fleet_in_flight.load(std::memory_order_relaxed) == 0 &&
         e.in_flight.Count(now, expiry_) == 0;
}

void UsageWindow::Refused(int64_t lost_until) {
  int64_t seen = lost_until_.load(std::memory_order_relaxed);
  while (lost_until > seen &&
         !lost_until_.compare_exchange_weak(seen, lost_until, std::memory_order_acq_rel)) {
  }
  if (logger_ && !warned_.exchange(true, std::memory_order_relaxed)) {
    logger_->Warn("scheduler: route \"" + route_ + "\" (least-used) tracks at most " +
                  std::to_string(accounts_.max_accounts()) +
                  " accounts with usage in its window and is full: accounts it cannot track "
                  "are not picked by this route until others leave the window (logged once)");
  }
}

void UsageWindow::Observe(const UsageRecord& record, Clock::time_point now) {
  const int64_t end = clock_.Observe(record, now);
  const int64_t record_tokens = std::max<int64_t>(0, RecordTokens(record));
  total_requests_.fetch_add(1, std::memory_order_relaxed);
  total_tokens_.fetch_add(record_tokens, std::memory_order_relaxed);
  expiry_.Observe(record.latency_ns, now);
  if (record.auth_id.empty()) return;
  const int64_t epoch = Epoch(now);
  const int64_t at = FloorDiv(end, bucket_ns_);
  const bool stored = accounts_.Update(
      Hash64(record.auth_id),
      [&](Entry& e) {
        Adopt(e);
        e.Advance(epoch);
        e.Add(at, record_tokens);
        e.in_flight.Finished(record.latency_ns, now, expiry_);
      },
      [&](Entry& e) { return Idle(e, epoch, now); });
  if (!stored) Refused(at + kBuckets);
  if (sharers_.load(std::memory_order_acquire) > 0)
    Ledger(Hash64(record.auth_id), end, 1, record_tokens, 0);
}

UsageWindow::Reading UsageWindow::Read(uint64_t hash, int64_t epoch, Clock::time_point now) {
  Reading r;
  int64_t head = kNoEpoch;
  int64_t unknown_until = kNoEpoch;
  auto load = [&](const Entry& e) {
    head = e.published_head.load(std::memory_order_acquire);
    r.requests = e.sum_requests.load(std::memory_order_acquire);
    r.tokens = e.sum_tokens.load(std::memory_order_acquire);
    r.picks = e.sum_picks.load(std::memory_order_acquire);
    r.in_flight = e.in_flight.Count(now, expiry_);
    r.requests += e.fleet_requests.load(std::memory_order_acquire);
    r.tokens += e.fleet_tokens.load(std::memory_order_acquire);
    r.picks += e.fleet_picks.load(std::memory_order_acquire);
    r.in_flight += e.fleet_in_flight.load(std::memory_order_acquire);
    unknown_until = e.unknown_until.load(std::memory_order_acquire);
  };
  r.tracked = accounts_.Find(hash, load);
  if (r.tracked && epoch != kNoEpoch && head < epoch) {
    accounts_.UpdateIfPresent(hash, [epoch](Entry& e) { e.Advance(epoch); });
    r = Reading{};
    r.tracked = accounts_.Find(hash, load);
  }
  if (!r.tracked) r = Reading{};  // what a discarded run of `load` left
  r.known = epoch >= (r.tracked ? unknown_until : lost_until_.load(std::memory_order_acquire));
  return r;
}

void UsageWindow::ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const {
  const int64_t epoch = Epoch(now);
  int64_t head = kNoEpoch, requests = 0, tokens = 0, in_flight = 0;
  const bool tracked = accounts_.Find(hash, [&](const Entry& e) {
    head = e.published_head.load(std::memory_order_acquire);
    requests = e.sum_requests.load(std::memory_order_acquire);
    tokens = e.sum_tokens.load(std::memory_order_acquire);
    in_flight = e.in_flight.Count(now, expiry_);
  });
  if (!tracked || (epoch != kNoEpoch && head != kNoEpoch && epoch - head >= kBuckets)) {
    requests = tokens = 0;
  }
  out->window_ms = window_.count();
  out->window_requests = requests;
  out->window_tokens = tokens;
  out->in_flight = tracked ? in_flight : 0;
}

bool UsageWindow::Picked(uint64_t hash, int64_t epoch, Clock::time_point now) {
  const bool counted = accounts_.Update(
      hash,
      [&](Entry& e) {
        Adopt(e);
        e.in_flight.Picked(now, expiry_);
        // Before the first record the usage clock has no time to place the pick at.
        if (epoch != kNoEpoch) e.AddPick(epoch);
      },
      [&](Entry& e) { return Idle(e, epoch, now); });
  if (!counted) Refused(kNoEpoch);
  if (counted && sharers_.load(std::memory_order_acquire) > 0) {
    int64_t t = clock_.Now(now);
    if (t == UsageClock::kUnset) t = StoreTime::Now().wall_ns;
    Ledger(hash, t, 0, 0, 1);
  }
  return counted;
}

void UsageWindow::Ledger(uint64_t account, int64_t time_ns, int64_t requests, int64_t tokens,
                         int64_t picks) {
  const int64_t epoch = FloorDiv(time_ns, bucket_ns_);
  std::lock_guard<std::mutex> lock(ledger_mutex_);
  auto it = ledger_.find({epoch, account});
  if (it == ledger_.end()) {
    if (ledger_.size() >= kMaxLedgerRows) {
      if (logger_ && !ledger_warned_) {
        ledger_warned_ = true;
        logger_->Warn("scheduler: route \"" + route_ +
                      "\" (least-used): too many accounts to share with the state store; "
                      "usage of new accounts is not shared until older usage leaves the "
                      "window (logged once)");
      }
      return;
    }
    it = ledger_.emplace(std::make_pair(epoch, account), LedgerRow{}).first;
  }
  it->second.requests += requests;
  it->second.tokens += tokens;
  it->second.picks += picks;
  it->second.dirty = true;
}

void UsageWindow::TakeOwn(std::vector<UsageRow>* rows, bool all, int64_t oldest_epoch) {
  rows->clear();
  std::lock_guard<std::mutex> lock(ledger_mutex_);
  for (auto it = ledger_.begin(); it != ledger_.end();) {
    if (it->first.first < oldest_epoch) {
      it = ledger_.erase(it);
      continue;
    }
    if (all || it->second.dirty) {
      rows->push_back(UsageRow{it->first.second, it->first.first, it->second.requests,
                               it->second.tokens, it->second.picks});
      it->second.dirty = false;
    }
    ++it;
  }
}

void UsageWindow::OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out,
                              Clock::time_point now) {
  out->clear();
  accounts_.ForEachHeld([&](uint64_t hash, Entry& e) {
    const int64_t n = e.in_flight.Count(now, expiry_);
    if (n > 0) out->emplace_back(hash, n);
  });
}

void UsageWindow::SetFleet(const std::vector<FleetUsage>& others) {
  std::lock_guard<std::mutex> lock(fleet_mutex_);
  std::vector<uint64_t> seen;
  seen.reserve(others.size());
  for (const FleetUsage& f : others) {
    auto apply = [&](Entry& e) {
      Adopt(e);
      e.fleet_requests.store(f.requests, std::memory_order_release);
      e.fleet_tokens.store(f.tokens, std::memory_order_release);
      e.fleet_picks.store(f.picks, std::memory_order_release);
      e.fleet_in_flight.store(f.in_flight, std::memory_order_release);
    };
    // Account hashes read from Redis must not fill the bounded table, which would leave no
    // room for the accounts of this instance's own picks: the fleet's view updates the
    // accounts tracked here and creates entries only while the table is less than half
    // full (beyond, an account the other instances use is counted here from the exchange
    // after its first pick here). It never evicts an account.
    bool held = accounts_.UpdateIfPresent(f.account, apply);
    if (!held && accounts_.size() < accounts_.max_accounts() / 2) {
      held = accounts_.Update(f.account, apply, [&](Entry&) { return false; });
    }
    if (held) seen.push_back(f.account);
  }
  std::sort(seen.begin(), seen.end());
  for (uint64_t account : fleet_accounts_) {
    if (std::binary_search(seen.begin(), seen.end(), account)) continue;
    accounts_.UpdateIfPresent(account, [](Entry& e) {
      e.fleet_requests.store(0, std::memory_order_release);
      e.fleet_tokens.store(0, std::memory_order_release);
      e.fleet_picks.store(0, std::memory_order_release);
      e.fleet_in_flight.store(0, std::memory_order_release);
    });
  }
  fleet_accounts_ = std::move(seen);
}

namespace {
constexpr int64_t kMaxSavedCount = int64_t{1} << 40;
}  // namespace

std::string UsageWindow::Save(const StoreTime& t) const {
  SnapshotWriter out;
  out.I64(bucket_ns_);
  out.I64(clock_.Now(t.now));
  out.I64(t.wall_ns);
  out.I64(total_requests_.load(std::memory_order_relaxed));
  out.I64(total_tokens_.load(std::memory_order_relaxed));
  SnapshotWriter entries;
  uint64_t count = 0;
  accounts_.ForEachHeld([&](uint64_t hash, Entry& e) {
    if (e.head == kNoEpoch) return;
    std::vector<int64_t> epochs;
    for (int64_t i = 0; i < kBuckets; ++i) {
      const int idx = Index(e.head - i);
      if (e.requests[idx] != 0 || e.tokens[idx] != 0 || e.picks[idx] != 0) {
        epochs.push_back(e.head - i);
      }
    }
    if (epochs.empty()) return;
    ++count;
    entries.U64(hash);
    entries.I64(e.head);
    entries.U64(epochs.size());
    for (int64_t epoch : epochs) {
      const int idx = Index(epoch);
      entries.I64(epoch);
      entries.I64(e.requests[idx]);
      entries.I64(e.tokens[idx]);
      entries.I64(e.picks[idx]);
    }
  });
  out.U64(count);
  std::string body = out.Take();
  body += entries.bytes();
  return body;
}

bool UsageWindow::Restore(std::string_view body, const StoreTime& t) {
  SnapshotReader in(body);
  int64_t bucket_ns = 0, usage_now = 0, wall = 0, total_requests = 0, total_tokens = 0;
  uint64_t count = 0;
  if (!in.I64(&bucket_ns) || !in.I64(&usage_now) || !in.I64(&wall) || !in.I64(&total_requests) ||
      !in.I64(&total_tokens) || !in.U64(&count)) {
    return false;
  }
  // Times are range-checked before any arithmetic on them (wall: Unix ns, not before 1970).
  if (bucket_ns != bucket_ns_ || wall < 0 || total_requests < 0 || total_tokens < 0 ||
      total_requests > kMaxSavedCount || total_tokens > kMaxSavedCount ||
      count > accounts_.max_accounts()) {
    return false;
  }
  if (usage_now != UsageClock::kUnset) {
    // The clock ran on while the process was down.
    const int64_t down = std::clamp<int64_t>(t.wall_ns - wall, 0, UsageClock::kMaxLead);
    clock_.Resume(SaturatingAdd(usage_now, down), t.now);
  }
  total_requests_.fetch_add(total_requests, std::memory_order_relaxed);
  total_tokens_.fetch_add(total_tokens, std::memory_order_relaxed);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t hash = 0, n = 0;
    int64_t head = 0;
    if (!in.U64(&hash) || !in.I64(&head) || !in.U64(&n) || n > kBuckets ||
        head < std::numeric_limits<int64_t>::min() / 2 ||
        head > std::numeric_limits<int64_t>::max() / 2) {
      return false;
    }
    struct Bucket {
      int64_t epoch, requests, tokens, picks;
    };
    std::array<Bucket, kBuckets> buckets{};
    for (uint64_t k = 0; k < n; ++k) {
      Bucket& b = buckets[k];
      if (!in.I64(&b.epoch) || !in.I64(&b.requests) || !in.I64(&b.tokens) || !in.I64(&b.picks)) {
        return false;
      }
      if (b.epoch > head || b.epoch <= head - kBuckets || b.requests < 0 || b.tokens < 0 ||
          b.picks < 0 || b.requests > kMaxSavedCount || b.tokens > kMaxSavedCount ||
          b.picks > kMaxSavedCount) {
        return false;
      }
    }
    const int64_t epoch_now = Epoch(t.now);
    accounts_.Update(
        hash,
        [&](Entry& e) {
          Adopt(e);
          for (uint64_t k = 0; k < n; ++k) {
            const Bucket& b = buckets[k];
            e.Merge(b.epoch, b.requests, b.tokens, b.picks);
          }
        },
        [&](Entry& e) { return Idle(e, epoch_now, t.now); });
  }
  return in.done();
}

int64_t UsageWindow::MeanTokens() const {
  const int64_t n = total_requests_.load(std::memory_order_relaxed);
  return n == 0 ? 0 : total_tokens_.load(std::memory_order_relaxed) / n;
}

const StrategyInfo& LeastUsedStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kUsageKey};
  static constexpr StrategyInfo kInfo{.name = "least-used",
                                      .keys = kKeys,
                                      .create = &LeastUsedStrategy::Create,
                                      .reads_usage = true,
                                      .reads_clock = true};
  return kInfo;
}

std::unique_ptr<Strategy> LeastUsedStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const UsageConfig& usage = route.Key<UsageConfig>(kUsageKey.name);
  std::unique_ptr<LeastUsedStrategy> s(new LeastUsedStrategy());
  const std::string& measure = usage.measure;
  if (measure.empty() || measure == "tokens") {
    s->measure_ = Measure::kTokens;
  } else if (measure == "requests") {
    s->measure_ = Measure::kRequests;
  } else {
    FailAt(route, "usage.measure", "unknown measure \"" + measure + "\" (known: tokens, requests)");
  }
  std::chrono::milliseconds window = kDefaultUsageWindow;
  if (usage.window.has_value()) {
    std::string error;
    std::optional<std::chrono::milliseconds> parsed = ParseDuration(*usage.window, &error);
    if (!parsed) FailAt(route, "usage.window", error);
    if (*parsed < std::chrono::seconds(1)) FailAt(route, "usage.window", "must be at least 1s");
    window = *parsed;
  }
  s->limit_ = usage.limit.value_or(0);
  if (s->limit_ < 0) FailAt(route, "usage.limit", "must be 0 (no limit) or more");
  bool fresh = false;
  s->window_ =
      build.state.Obtain<UsageWindow>("least-used", [&](std::shared_ptr<UsageWindow> previous) {
        if (previous && previous->window() == window) return previous;
        fresh = true;
        return std::make_shared<UsageWindow>(window, route.name, build.logger);
      });
  if (build.stored != nullptr) build.stored->push_back({s->window_, fresh, {}});
  return s;
}

Outcome LeastUsedStrategy::Pick(const PickContext& context) const {
  const int64_t route_mean = measure_ == Measure::kTokens ? window_->MeanTokens() : 1;
  const int64_t epoch = window_->Epoch(context.now);
  // When the chosen account can get no entry (the table is full), so can no account that
  // has none: they are left out and the choice is made again.
  bool full = false;
  for (;;) {
    const Candidate* best = nullptr;
    uint64_t best_hash = 0;
    int64_t best_score = 0;
    for (const Candidate* c : context.pool) {
      const uint64_t hash = Hash64(c->id);
      const UsageWindow::Reading r = window_->Read(hash, epoch, context.now);
      if (!r.known || (full && !r.tracked)) continue;
      int64_t used = r.requests;
      int64_t cost = 1;
      if (measure_ == Measure::kTokens) {
        used = r.tokens;
        cost = r.requests > 0 ? r.tokens / r.requests : route_mean;
        cost = std::max<int64_t>(cost, 1);
      }
      const int64_t reported = SaturatingAdd(used, SaturatingMul(r.in_flight, cost));
      const int64_t score = std::max(reported, SaturatingMul(r.picks, cost));
      if (limit_ > 0 && score >= limit_) continue;
      if (best == nullptr || score < best_score || (score == best_score && c->id < best->id)) {
        best = c;
        best_hash = hash;
        best_score = score;
      }
    }
    if (best == nullptr) return Outcome::NoChoice();
    if (context.dry_run || window_->Picked(best_hash, epoch, context.now)) {
      return Outcome::Auth(best);
    }
    full = true;
  }
}

}  // namespace cliproxy::scheduler

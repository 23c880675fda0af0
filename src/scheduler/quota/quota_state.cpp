#include "scheduler/quota/quota_state.hpp"

#include <algorithm>
#include <string_view>

#include "base/hash.hpp"

namespace cliproxy::scheduler {
namespace {

// The slot of a window name of ReadRateLimitHeaders, or -1. OpenAI's `requests` and
// `tokens` share the slots of Anthropic's: an account answers with one family.
int Kind(std::string_view name) {
  static constexpr std::string_view kNames[QuotaState::kWindowKinds] = {
      "requests", "tokens", "input-tokens", "output-tokens", "5h", "7d", "primary", "secondary"};
  for (int i = 0; i < QuotaState::kWindowKinds; ++i) {
    if (kNames[i] == name) return i;
  }
  return -1;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

// The HTTP status a record reports, or 0.
int Status(const UsageRecord& record) {
  const int64_t s = record.failure.status_code;
  return s >= 100 && s <= 599 ? static_cast<int>(s) : 0;
}

// How long what `seen` says (observed at `end`) holds: its refusal, its resets, and its
// windows without a reset.
int64_t HoldsUntil(const QuotaObservation& seen, int64_t end) {
  int64_t until = seen.refused_until_unix_ns.value_or(0);
  for (const QuotaWindow& w : seen.windows) {
    const int64_t hold = w.reset_unix_ns
                             ? *w.reset_unix_ns
                             : SaturatingAdd(end, w.length_ns.value_or(QuotaState::kUnresetHoldNs));
    until = std::max(until, hold);
  }
  return until;
}

}  // namespace

QuotaState::QuotaState(std::string route, std::shared_ptr<const Logger> logger, size_t max_accounts)
    : route_(std::move(route)), logger_(std::move(logger)), accounts_(max_accounts) {}

void QuotaState::Entry::Reset() {
  for (Window& w : windows) {
    w.observed.store(kNever, std::memory_order_release);
    w.utilization.store(0, std::memory_order_release);
    w.reset.store(0, std::memory_order_release);
    w.length.store(0, std::memory_order_release);
    w.rejected.store(false, std::memory_order_release);
  }
  refused_until.store(0, std::memory_order_release);
  refused_at.store(0, std::memory_order_release);
  lost_until.store(0, std::memory_order_release);
  in_flight.Reset();
  fresh = true;
}

void QuotaState::Adopt(Entry& e) const {
  if (!e.fresh) return;
  e.fresh = false;
  e.lost_until.store(lost_until_.load(std::memory_order_acquire), std::memory_order_release);
}

void QuotaState::Store(Entry& e, const QuotaObservation& seen, const UsageRecord& record,
                       int64_t end) {
  for (const QuotaWindow& w : seen.windows) {
    const int kind = Kind(w.name);
    if (kind < 0) continue;
    Window& slot = e.windows[kind];
    // Records may arrive out of order: a window keeps what the latest response said.
    if (end < slot.observed.load(std::memory_order_relaxed)) continue;
    slot.utilization.store(w.utilization.value_or(0), std::memory_order_release);
    slot.reset.store(w.reset_unix_ns.value_or(0), std::memory_order_release);
    slot.length.store(w.length_ns.value_or(0), std::memory_order_release);
    slot.rejected.store(w.rejected, std::memory_order_release);
    slot.observed.store(end, std::memory_order_release);
  }
  if (seen.refused_until_unix_ns) {
    const int64_t until =
        std::max(*seen.refused_until_unix_ns, e.refused_until.load(std::memory_order_relaxed));
    e.refused_until.store(until, std::memory_order_release);
    e.refused_at.store(end, std::memory_order_release);
  } else if (Status(record) < 400 && !record.failed &&
             e.refused_until.load(std::memory_order_relaxed) != 0) {
    // A request that started after the refusal was served: the upstream takes it again.
    const int64_t started = end - std::max<int64_t>(record.latency_ns, 0);
    if (started > e.refused_at.load(std::memory_order_relaxed)) {
      e.refused_until.store(0, std::memory_order_release);
    }
  }
}

bool QuotaState::Idle(const Entry& e, int64_t usage_now, Clock::time_point now) const {
  if (e.in_flight.Count(now, expiry_) != 0) return false;
  if (e.refused_until.load(std::memory_order_relaxed) > usage_now ||
      e.lost_until.load(std::memory_order_relaxed) > usage_now) {
    return false;
  }
  for (const Window& w : e.windows) {
    const int64_t observed = w.observed.load(std::memory_order_relaxed);
    if (observed == kNever) continue;
    const int64_t reset = w.reset.load(std::memory_order_relaxed);
    const int64_t length = w.length.load(std::memory_order_relaxed);
    const int64_t until =
        reset != 0 ? reset : SaturatingAdd(observed, length > 0 ? length : kUnresetHoldNs);
    if (until > usage_now) return false;
  }
  return true;
}

void QuotaState::Refused(int64_t lost_until) {
  int64_t seen = lost_until_.load(std::memory_order_relaxed);
  while (lost_until > seen &&
         !lost_until_.compare_exchange_weak(seen, lost_until, std::memory_order_acq_rel)) {
  }
  if (logger_ && !warned_.exchange(true, std::memory_order_relaxed)) {
    logger_->Warn("scheduler: route \"" + route_ + "\" (headroom) tracks the quota of at most " +
                  std::to_string(accounts_.max_accounts()) +
                  " accounts and is full: accounts it cannot track are not picked by this route "
                  "until what their dropped records said has expired (logged once)");
  }
}

void QuotaState::Observe(const UsageRecord& record, Clock::time_point now) {
  const int64_t end = clock_.Observe(record, now);
  expiry_.Observe(record.latency_ns, now);
  if (record.auth_id.empty()) return;
  const QuotaObservation seen = ReadRateLimitHeaders(record.response_headers, Status(record), end);
  const uint64_t hash = Hash64(record.auth_id);
  auto update = [&](Entry& e) {
    Adopt(e);
    Store(e, seen, record, end);
    e.in_flight.Finished(record.latency_ns, now, expiry_);
  };
  if (seen.empty()) {
    // Nothing to remember: only an account already tracked learns (its pick ends).
    accounts_.UpdateIfPresent(hash, update);
    return;
  }
  const int64_t usage_now = clock_.Now(now);
  if (!accounts_.Update(hash, update, [&](Entry& e) { return Idle(e, usage_now, now); })) {
    Refused(HoldsUntil(seen, end));
  }
}

bool QuotaState::Picked(uint64_t hash, Clock::time_point now) {
  const int64_t usage_now = clock_.Now(now);
  const bool counted = accounts_.Update(
      hash,
      [&](Entry& e) {
        Adopt(e);
        e.in_flight.Picked(now, expiry_);
      },
      [&](Entry& e) { return Idle(e, usage_now, now); });
  if (!counted) Refused(0);
  return counted;
}

void QuotaState::ReadAccount(uint64_t hash, Clock::time_point now, AccountReading* out) const {
  const int64_t usage_now = Now(now);
  const Reading r = Read(hash, usage_now, now);
  if (!out->in_flight) out->in_flight = r.in_flight;
  if (!r.tracked || usage_now == UsageClock::kUnset) return;
  constexpr int64_t kNsPerMs = 1'000'000;
  if (r.refused) {
    out->quota_refused = true;
    out->quota_reset_unix_ms = r.refused_until / kNsPerMs;
  } else if (r.soonest_reset != kNoReset) {
    out->quota_reset_unix_ms = r.soonest_reset / kNsPerMs;
  }
  if (r.known) out->quota_used = r.utilization;
}

QuotaState::Reading QuotaState::Read(uint64_t hash, int64_t usage_now,
                                     Clock::time_point now) const {
  Reading r;
  const bool tracked = accounts_.Find(hash, [&](const Entry& e) {
    r = Reading{};
    r.in_flight = e.in_flight.Count(now, expiry_);
    if (usage_now == UsageClock::kUnset) return;  // no record yet: nothing is described
    const int64_t refused_until = e.refused_until.load(std::memory_order_acquire);
    const int64_t lost_until = e.lost_until.load(std::memory_order_acquire);
    if (refused_until > usage_now) r.refused_until = refused_until;
    if (lost_until > usage_now) r.refused_until = std::max(r.refused_until, lost_until);
    r.refused = r.refused_until != 0;
    for (const Window& w : e.windows) {
      const int64_t observed = w.observed.load(std::memory_order_acquire);
      if (observed == kNever) continue;
      const int64_t reset = w.reset.load(std::memory_order_acquire);
      const int64_t length = w.length.load(std::memory_order_acquire);
      double utilization = w.rejected.load(std::memory_order_acquire)
                               ? 1.0
                               : w.utilization.load(std::memory_order_acquire);
      int64_t next_reset = reset;
      if (reset != 0 && reset <= usage_now) {
        // Started afresh; the next window ends one length after it starts, at the earliest.
        utilization = 0;
        next_reset = length > 0 ? SaturatingAdd(usage_now, length) : kNoReset;
      } else if (reset == 0) {
        const int64_t hold = length > 0 ? length : kUnresetHoldNs;
        if (SaturatingAdd(observed, hold) <= usage_now) continue;  // stale
        next_reset = kNoReset;
      }
      r.known = true;
      r.utilization = std::max(r.utilization, utilization);
      r.soonest_reset = std::min(r.soonest_reset, next_reset);
    }
  });
  if (tracked) {
    r.tracked = true;
  } else {
    r = Reading{};
    const int64_t lost_until = lost_until_.load(std::memory_order_acquire);
    if (usage_now != UsageClock::kUnset && lost_until > usage_now) {
      r.refused = true;
      r.refused_until = lost_until;
    }
  }
  return r;
}

}  // namespace cliproxy::scheduler

#include "scheduler/quota/quota_state.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string_view>
#include <vector>

#include "base/hash.hpp"

namespace cliproxy::scheduler {
namespace {

// The slot of a window name of ReadRateLimitHeaders, or -1. OpenAI's `requests` and
// `tokens` share the slots of Anthropic's: an account answers with one family.
constexpr std::string_view kNames[QuotaState::kWindowKinds] = {
    "requests", "tokens", "input-tokens", "output-tokens", "5h", "7d", "primary", "secondary"};

int Kind(std::string_view name) {
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
    : route_(std::move(route)),
      logger_(std::move(logger)),
      accounts_(max_accounts),
      store_name_("quota/" + route_) {}

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
  fleet_in_flight.store(0, std::memory_order_release);
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
      e.refused_at.store(started, std::memory_order_release);
    }
  }
}

bool QuotaState::Idle(const Entry& e, int64_t usage_now, Clock::time_point now) const {
  if (e.in_flight.Count(now, expiry_) != 0 ||
      e.fleet_in_flight.load(std::memory_order_relaxed) != 0) {
    return false;
  }
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
    r.in_flight =
        e.in_flight.Count(now, expiry_) + e.fleet_in_flight.load(std::memory_order_acquire);
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

namespace {

// Bounds of what is read back from a snapshot or from Redis: times (Unix ns) from 1970 to
// about 2116, window lengths up to a year.
constexpr int64_t kMaxTimeNs = int64_t{1} << 62;
constexpr int64_t kMaxLengthNs = int64_t{366} * 24 * 3600 * 1'000'000'000;

bool ValidTime(int64_t t) { return t >= 0 && t <= kMaxTimeNs; }

bool ValidRow(const QuotaRow& row) {
  if (!ValidTime(row.observed_ns) || !ValidTime(row.reset_ns)) return false;
  if (row.refusal()) return row.utilization == 0 && row.length_ns == 0 && !row.rejected;
  return std::isfinite(row.utilization) && row.utilization >= 0 && row.utilization <= 1 &&
         row.length_ns >= 0 && row.length_ns <= kMaxLengthNs;
}

}  // namespace

void QuotaState::Merge(Entry& e, int kind, const QuotaRow& row) {
  if (kind < 0) {
    const int64_t at = e.refused_at.load(std::memory_order_relaxed);
    const int64_t until = e.refused_until.load(std::memory_order_relaxed);
    if (row.observed_ns > at) {
      e.refused_until.store(std::max(until, row.reset_ns), std::memory_order_release);
      e.refused_at.store(row.observed_ns, std::memory_order_release);
    } else if (until != 0) {
      // An older refusal that lasts longer (the account's refusals add up, as its records').
      e.refused_until.store(std::max(until, row.reset_ns), std::memory_order_release);
    }
    // Else the refusal was lifted after it: a request started later was served.
    return;
  }
  Window& slot = e.windows[kind];
  if (row.observed_ns <= slot.observed.load(std::memory_order_relaxed)) return;
  slot.utilization.store(row.utilization, std::memory_order_release);
  slot.reset.store(row.reset_ns, std::memory_order_release);
  slot.length.store(row.length_ns, std::memory_order_release);
  slot.rejected.store(row.rejected, std::memory_order_release);
  slot.observed.store(row.observed_ns, std::memory_order_release);
}

void QuotaState::StartClock(const StoreTime& t) {
  if (clock_.Now(t.now) == UsageClock::kUnset) clock_.Resume(t.wall_ns, t.now);
}

std::string QuotaState::Save(const StoreTime& t) const {
  SnapshotWriter out;
  out.I64(clock_.Now(t.now));
  out.I64(t.wall_ns);
  out.I64(lost_until_.load(std::memory_order_relaxed));
  SnapshotWriter entries;
  uint64_t count = 0;
  accounts_.ForEachHeld([&](uint64_t hash, Entry& e) {
    int windows = 0;
    for (const Window& w : e.windows)
      windows += w.observed.load(std::memory_order_relaxed) != kNever;
    const int64_t refused_until = e.refused_until.load(std::memory_order_relaxed);
    const int64_t refused_at = e.refused_at.load(std::memory_order_relaxed);
    const int64_t lost_until = e.lost_until.load(std::memory_order_relaxed);
    if (windows == 0 && refused_until == 0 && refused_at == 0 && lost_until == 0) return;
    ++count;
    entries.U64(hash);
    entries.I64(refused_until);
    entries.I64(refused_at);
    entries.I64(lost_until);
    entries.U64(static_cast<uint64_t>(windows));
    for (int kind = 0; kind < kWindowKinds; ++kind) {
      const Window& w = e.windows[kind];
      const int64_t observed = w.observed.load(std::memory_order_relaxed);
      if (observed == kNever) continue;
      entries.U64(static_cast<uint64_t>(kind));
      entries.I64(observed);
      entries.U64(std::bit_cast<uint64_t>(w.utilization.load(std::memory_order_relaxed)));
      entries.I64(w.reset.load(std::memory_order_relaxed));
      entries.I64(w.length.load(std::memory_order_relaxed));
      entries.U64(w.rejected.load(std::memory_order_relaxed) ? 1 : 0);
    }
  });
  out.U64(count);
  std::string body = out.Take();
  body += entries.bytes();
  return body;
}

bool QuotaState::Restore(std::string_view body, const StoreTime& t) {
  SnapshotReader in(body);
  int64_t usage_now = 0, wall = 0, lost_until = 0;
  uint64_t count = 0;
  if (!in.I64(&usage_now) || !in.I64(&wall) || !in.I64(&lost_until) || !in.U64(&count)) {
    return false;
  }
  // Times are range-checked before any arithmetic on them.
  if ((usage_now != UsageClock::kUnset && !ValidTime(usage_now)) || !ValidTime(wall) ||
      !ValidTime(lost_until) || count > accounts_.max_accounts()) {
    return false;
  }
  // Everything is read and checked before anything is merged: a malformed body changes
  // nothing.
  struct Saved {
    uint64_t hash = 0;
    int64_t lost_until = 0;
    QuotaRow refusal;
    std::vector<std::pair<int, QuotaRow>> windows;
  };
  std::vector<Saved> saved;
  saved.reserve(static_cast<size_t>(std::min<uint64_t>(count, 4096)));
  for (uint64_t i = 0; i < count; ++i) {
    Saved s;
    uint64_t windows = 0;
    s.refusal.kind = QuotaRow::kRefused;
    if (!in.U64(&s.hash) || !in.I64(&s.refusal.reset_ns) || !in.I64(&s.refusal.observed_ns) ||
        !in.I64(&s.lost_until) || !in.U64(&windows) || windows > kWindowKinds ||
        !ValidRow(s.refusal) || !ValidTime(s.lost_until)) {
      return false;
    }
    unsigned seen = 0;
    for (uint64_t k = 0; k < windows; ++k) {
      uint64_t kind = 0, utilization = 0, rejected = 0;
      QuotaRow row;
      if (!in.U64(&kind) || !in.I64(&row.observed_ns) || !in.U64(&utilization) ||
          !in.I64(&row.reset_ns) || !in.I64(&row.length_ns) || !in.U64(&rejected) ||
          kind >= kWindowKinds || (seen & (1u << kind)) != 0 || rejected > 1) {
        return false;
      }
      seen |= 1u << kind;
      row.kind = kNames[kind];
      row.utilization = std::bit_cast<double>(utilization);
      row.rejected = rejected == 1;
      if (!ValidRow(row)) return false;
      s.windows.emplace_back(static_cast<int>(kind), std::move(row));
    }
    saved.push_back(std::move(s));
  }
  if (!in.done()) return false;

  if (usage_now != UsageClock::kUnset) {
    // The clock ran on while the process was down.
    const int64_t down = std::clamp<int64_t>(t.wall_ns - wall, 0, UsageClock::kMaxLead);
    clock_.Resume(SaturatingAdd(usage_now, down), t.now);
  }
  int64_t held = lost_until_.load(std::memory_order_relaxed);
  while (lost_until > held &&
         !lost_until_.compare_exchange_weak(held, lost_until, std::memory_order_acq_rel)) {
  }
  const int64_t now = clock_.Now(t.now);
  for (const Saved& s : saved) {
    accounts_.Update(
        s.hash,
        [&](Entry& e) {
          Adopt(e);
          if (s.lost_until > e.lost_until.load(std::memory_order_relaxed)) {
            e.lost_until.store(s.lost_until, std::memory_order_release);
          }
          if (s.refusal.reset_ns != 0 || s.refusal.observed_ns != 0) Merge(e, -1, s.refusal);
          for (const auto& [kind, row] : s.windows) Merge(e, kind, row);
        },
        [&](Entry& e) { return Idle(e, now, t.now); });
  }
  return true;
}

void QuotaState::TakeOwn(std::vector<QuotaRow>* rows, const StoreTime& t) {
  rows->clear();
  const int64_t usage_now = clock_.Now(t.now);
  if (usage_now == UsageClock::kUnset) return;
  accounts_.ForEachHeld([&](uint64_t hash, Entry& e) {
    QuotaRow refusal;
    refusal.account = hash;
    refusal.kind = QuotaRow::kRefused;
    refusal.reset_ns = e.refused_until.load(std::memory_order_relaxed);
    refusal.observed_ns = e.refused_at.load(std::memory_order_relaxed);
    if (refusal.reset_ns > usage_now) rows->push_back(std::move(refusal));
    for (int kind = 0; kind < kWindowKinds; ++kind) {
      const Window& w = e.windows[kind];
      QuotaRow row;
      row.observed_ns = w.observed.load(std::memory_order_relaxed);
      if (row.observed_ns == kNever) continue;
      row.account = hash;
      row.kind = kNames[kind];
      row.utilization = w.utilization.load(std::memory_order_relaxed);
      row.reset_ns = w.reset.load(std::memory_order_relaxed);
      row.length_ns = w.length.load(std::memory_order_relaxed);
      row.rejected = w.rejected.load(std::memory_order_relaxed);
      if (row.Until() > usage_now) rows->push_back(std::move(row));
    }
  });
}

size_t QuotaState::ApplyFleet(const std::vector<QuotaRow>& rows, const StoreTime& t) {
  size_t unused = 0;
  StartClock(t);
  const int64_t usage_now = clock_.Now(t.now);
  for (const QuotaRow& row : rows) {
    const int kind = row.refusal() ? -1 : Kind(row.kind);
    if ((kind < 0 && !row.refusal()) || !ValidRow(row)) {
      ++unused;
      continue;
    }
    if (row.Until() <= usage_now) continue;  // no longer holds
    auto apply = [&](Entry& e) {
      Adopt(e);
      Merge(e, kind, row);
    };
    // Accounts read from Redis must not fill the bounded table, which would leave no room
    // for this instance's own: they get entries only while it is less than half full.
    if (!accounts_.UpdateIfPresent(row.account, apply) &&
        accounts_.size() < accounts_.max_accounts() / 2) {
      accounts_.Update(row.account, apply, [&](Entry& e) { return Idle(e, usage_now, t.now); });
    }
  }
  return unused;
}

void QuotaState::OwnInFlight(std::vector<std::pair<uint64_t, int64_t>>* out,
                             Clock::time_point now) {
  FleetInFlight::Own(accounts_, expiry_, now, out);
}

void QuotaState::SetFleetInFlight(const std::vector<std::pair<uint64_t, int64_t>>& others) {
  fleet_in_flight_.Set(accounts_, others, [&](Entry& e) { Adopt(e); });
}

}  // namespace cliproxy::scheduler

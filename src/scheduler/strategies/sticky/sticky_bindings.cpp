#include "scheduler/strategies/sticky/sticky_bindings.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr int64_t kMaxAheadMs = 24LL * 3600 * 1000;

int64_t MonotonicMs(Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

}  // namespace

void StickyBindings::Bind(uint64_t session, uint64_t account, int64_t now_ms) {
  const SessionTable::Binding b = table->Bind(session, account, now_ms);
  if (sharers_.load(std::memory_order_acquire) <= 0) return;
  const StoreTime t = StoreTime::Now();
  const int64_t wall_ms = t.wall_ns / 1'000'000 - (MonotonicMs(t.now) - now_ms);
  std::lock_guard<std::mutex> lock(outbox_mutex_);
  if (outbox_.size() >= kMaxOutbox) outbox_.pop_front();
  outbox_.push_back(BindingRow{session, b.account, b.home, wall_ms});
}

void StickyBindings::TakeOwn(std::vector<BindingRow>* rows, bool all) {
  rows->clear();
  if (all) {
    const StoreTime t = StoreTime::Now();
    const int64_t offset = t.wall_ns / 1'000'000 - MonotonicMs(t.now);
    std::vector<SessionTable::Saved> saved = table->Export();
    for (const SessionTable::Saved& s : saved) {
      rows->push_back(BindingRow{s.session, s.account, s.home, s.used_ms + offset});
    }
    std::lock_guard<std::mutex> lock(outbox_mutex_);
    outbox_.clear();
    return;
  }
  std::lock_guard<std::mutex> lock(outbox_mutex_);
  rows->assign(outbox_.begin(), outbox_.end());
  outbox_.clear();
}

void StickyBindings::ApplyFleet(const std::vector<BindingRow>& rows, const StoreTime& t) {
  const int64_t wall_ms = t.wall_ns / 1'000'000;
  const int64_t now_ms = MonotonicMs(t.now);
  const int64_t ttl = TtlMs();
  for (const BindingRow& b : rows) {
    // A time read from Redis is checked before any arithmetic: before 1970 or more than a
    // day ahead of this clock, it is another writer's garbage.
    if (b.wall_ms < 0 || b.wall_ms > wall_ms + kMaxAheadMs) continue;
    const int64_t age = wall_ms - b.wall_ms;
    if (age > ttl) continue;
    table->Learn(b.session, b.account, b.home, now_ms - std::max<int64_t>(age, 0));
  }
}

std::string StickyBindings::Save(const StoreTime& t) const {
  const int64_t now_ms = MonotonicMs(t.now);
  std::vector<SessionTable::Saved> saved = table->Export();
  SnapshotWriter out;
  out.U64(saved.size());
  for (const SessionTable::Saved& s : saved) {
    out.U64(s.session);
    out.U64(s.account);
    out.U64(s.home);
    out.I64(std::max<int64_t>(0, now_ms - s.used_ms));  // age
  }
  // The wall clock of the snapshot: the time spent down counts towards the TTL.
  out.I64(t.wall_ns / 1'000'000);
  return out.Take();
}

bool StickyBindings::Restore(std::string_view body, const StoreTime& t) {
  SnapshotReader in(body);
  uint64_t count = 0;
  if (!in.U64(&count) || count > body.size() / 32) return false;
  struct Row {
    uint64_t session, account, home;
    int64_t age;
  };
  std::vector<Row> rows(count);
  for (Row& r : rows) {
    if (!in.U64(&r.session) || !in.U64(&r.account) || !in.U64(&r.home) || !in.I64(&r.age) ||
        r.age < 0) {
      return false;
    }
  }
  int64_t saved_wall_ms = 0;
  if (!in.I64(&saved_wall_ms) || !in.done() || saved_wall_ms < 0) return false;
  const int64_t down = std::max<int64_t>(0, t.wall_ns / 1'000'000 - saved_wall_ms);
  const int64_t now_ms = MonotonicMs(t.now);
  const int64_t ttl = TtlMs();
  for (const Row& r : rows) {  // least recently used first: the LRU order is kept
    if (r.age > ttl || down > ttl - r.age) continue;  // no overflow: both are >= 0
    const int64_t age = r.age + down;
    table->Learn(r.session, r.account, r.home, now_ms - age);
  }
  return true;
}

}  // namespace cliproxy::scheduler

// AccountTable<Entry>: per-account statistics of one route, by account ID hash.
//
// Usage-driven strategies keep a small record per account (a usage window, a latency
// average, the picks still in flight). Records arrive from usage.handle while picks read
// the whole pool, so the table is split into 16 shards, each a hash map behind its own
// mutex: a pick locks one shard at a time, for one account, and a usage record locks the
// one shard of its account. Entries are keyed by the 64-bit XXH64 of the account ID (as
// the weighted strategy's scores are), so no ID is copied.
//
// Bound: at most `max_entries` accounts (a proxy has thousands, not millions); beyond
// that, accounts not yet known are not remembered (Visit() with create does nothing and
// returns false) and are treated by the strategies as accounts without statistics.
//
// Thread-safety: every method may be called concurrently. The callbacks run under a shard
// lock: they must be short and must not call back into the table.
#ifndef CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_
#define CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace cliproxy::scheduler {

template <class Entry>
class AccountTable {
 public:
  static constexpr size_t kDefaultMaxEntries = 65536;

  explicit AccountTable(size_t max_entries = kDefaultMaxEntries) : max_entries_(max_entries) {}

  // Calls fn(Entry&) for the account with ID hash `hash`. When the account has no entry:
  // with `create`, one is made (default-constructed) unless the table is full; without,
  // fn is not called. Returns whether fn was called.
  template <class Fn>
  bool Visit(uint64_t hash, bool create, Fn&& fn) {
    Shard& shard = shards_[hash >> 60];
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(hash);
    if (it == shard.entries.end()) {
      if (!create || size_.load(std::memory_order_relaxed) >= max_entries_) return false;
      it = shard.entries.try_emplace(hash).first;
      size_.fetch_add(1, std::memory_order_relaxed);
    }
    fn(it->second);
    return true;
  }

  // Calls fn(const Entry&) for every entry, one shard lock at a time (for copying).
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mutex);
      for (const auto& [hash, entry] : shard.entries) fn(hash, entry);
    }
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::unordered_map<uint64_t, Entry> entries;
  };

  const size_t max_entries_;
  std::atomic<size_t> size_{0};
  std::array<Shard, 16> shards_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

// AccountTable<Entry>: per-account statistics of one route, found without locks, bounded.
//
// Usage-driven strategies keep a small record per account (a usage window, a latency
// average, the picks in flight). A pick reads the record of every account of its pool, so
// finding a record must cost next to nothing and must not serialize concurrent picks.
// Records are keyed by the 64-bit XXH64 of the account ID (no ID is copied).
//
// Bound: at most `max_accounts` entries exist (24,576 by default), however many distinct
// accounts pass through in the table's life. An entry whose account has gone quiet (the
// strategy's `idle` test: nothing in its window, no pick in flight, ...) is handed to the
// next new account, so the table holds the accounts in use, not every account ever seen.
// Quiet entries are looked for only when a new account needs one and the table has grown
// to twice the accounts it held after the last look (amortized O(1) per new account), so
// memory stays within about twice the live accounts plus a few hundred entries. At the
// bound, each new account looks at the next 512 entries. When every entry is in use, a
// new account gets none (Update returns false): the caller must then fail closed for that
// account. Nothing is allocated up front beyond a 16-slot index.
//
// Memory reclamation: entries are never freed while the table lives; an entry changes
// hands instead, under its mutex, with a version number that readers check (odd while
// free or changing hands), so a lock-free reader never touches freed memory and never
// takes one account's numbers for another's. The version works as a seqlock without
// fences (ThreadSanitizer has none): readers load every field with acquire, and an entry
// changing hands stores every field with release after making its version odd. The index
// (open addressing over entry pointers and their hashes) is rebuilt in place when stale
// slots pile up, under a second version number; a lookup that finds nothing checks it and
// looks again, so it never misses an entry that exists. Indexes outgrown by growth stay
// allocated (together smaller than the current one): readers may still be probing them.
//
// Entry must derive from AccountEntry, be default-constructible, keep the fields that
// readers load without locks in atomics (loaded with acquire), and have `void Reset()`
// (called with its mutex held: back to the state of a new entry, storing with release).
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_
#define CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cliproxy::scheduler {

// Accounts an AccountTable holds at most unless told otherwise.
inline constexpr size_t kDefaultMaxAccounts = 24576;

// The part of an entry the table manages. Writers of an entry's fields hold `mutex`.
class AccountEntry {
 public:
  std::mutex mutex;

 private:
  template <class>
  friend class AccountTable;
  mutable std::atomic<uint64_t> version_{1};  // odd: free or changing hands; even: holds hash_
  mutable std::atomic<uint64_t> hash_{0};
};

template <class Entry>
class AccountTable {
 public:
  explicit AccountTable(size_t max_accounts = kDefaultMaxAccounts)
      : max_accounts_(std::max<size_t>(1, max_accounts)),
        max_index_(std::bit_ceil(2 * max_accounts_)) {
    indexes_.push_back(std::make_unique<Index>(std::min<size_t>(kFirstIndex, max_index_)));
    index_.store(indexes_.back().get(), std::memory_order_release);
  }
  AccountTable(const AccountTable&) = delete;
  AccountTable& operator=(const AccountTable&) = delete;

  // Without locks: calls read(const Entry&) on the entry of `hash` and returns true, or
  // returns false when the account has none. `read` may run more than once (only the last
  // run, during which the entry kept its account, counts), so it must only load the
  // entry's atomics (into variables of the caller).
  template <class Fn>
  bool Find(uint64_t hash, Fn&& read) const {
    for (;;) {
      uint64_t version = 0;
      const Entry* e = FindEntry(hash, &version);
      if (e == nullptr) return false;
      read(*e);
      if (Version(*e).load(std::memory_order_acquire) == version) return true;
    }
  }

  // update(Entry&) with the entry of `hash` locked, made if the account has none. Returns
  // false, without calling `update`, when every entry is in use: `idle(Entry&)` (called
  // with the entry's mutex held) says whether an entry's account may be forgotten, which
  // must change nothing the strategy decides (the entry is then Reset for another).
  template <class Fn, class Idle>
  bool Update(uint64_t hash, Fn update, Idle idle) {
    for (;;) {
      Entry* e = FindOrCreate(hash, idle);
      if (e == nullptr) return false;
      std::lock_guard<std::mutex> lock(e->mutex);
      if (Holds(*e, hash)) {
        update(*e);
        return true;
      }
    }
  }

  // update(Entry&) with the entry of `hash` locked if the account has one; false if not.
  template <class Fn>
  bool UpdateIfPresent(uint64_t hash, Fn update) {
    for (;;) {
      uint64_t version = 0;
      Entry* e = FindEntry(hash, &version);
      if (e == nullptr) return false;
      std::lock_guard<std::mutex> lock(e->mutex);
      if (Holds(*e, hash)) {
        update(*e);
        return true;
      }
    }
  }

  // Calls visit(uint64_t hash, Entry&) for every entry holding an account, with the
  // entry's mutex held (for state stores: snapshots, fleet exchange). Blocks new accounts
  // from getting entries meanwhile; never blocks readers.
  template <class Fn>
  void ForEachHeld(Fn visit) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::unique_ptr<Entry>& owned : entries_) {
      Entry& e = *owned;
      std::lock_guard<std::mutex> entry_lock(e.mutex);
      if ((Version(e).load(std::memory_order_relaxed) & 1) != 0) continue;
      visit(HashOf(e).load(std::memory_order_relaxed), e);
    }
  }

  size_t max_accounts() const { return max_accounts_; }
  // Accounts holding an entry.
  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return held_;
  }
  // Entries allocated (held or free): at most max_accounts().
  size_t allocated() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  // Slots of the current index.
  size_t index_capacity() const { return index_.load(std::memory_order_acquire)->capacity(); }

 private:
  static constexpr size_t kFirstIndex = 16;
  static constexpr size_t kMinSweep = 256;   // entries allocated before the first sweep
  static constexpr size_t kFullSweep = 512;  // entries looked at per new account when full

  // A slot keeps the hash its entry had when placed, so that a probe passes other
  // accounts' slots without reading their entries.
  struct Slot {
    std::atomic<uint64_t> hash{0};
    std::atomic<Entry*> entry{nullptr};
  };
  struct Index {
    explicit Index(size_t capacity)
        : mask(capacity - 1), slots(std::make_unique<Slot[]>(capacity)) {}
    size_t capacity() const { return mask + 1; }
    void Clear() {
      for (size_t i = 0; i <= mask; ++i) slots[i].entry.store(nullptr, std::memory_order_release);
    }
    const size_t mask;
    const std::unique_ptr<Slot[]> slots;
  };

  static std::atomic<uint64_t>& Version(const Entry& e) {
    return static_cast<const AccountEntry&>(e).version_;
  }
  static std::atomic<uint64_t>& HashOf(const Entry& e) {
    return static_cast<const AccountEntry&>(e).hash_;
  }
  // With e.mutex held.
  static bool Holds(const Entry& e, uint64_t hash) {
    return (Version(e).load(std::memory_order_relaxed) & 1) == 0 &&
           HashOf(e).load(std::memory_order_relaxed) == hash;
  }

  // The entry holding `hash` found in `index` and the version it had, or null. Slots whose
  // entry changed hands are skipped; an empty slot ends the probe.
  static Entry* Probe(const Index& index, uint64_t hash, uint64_t* version) {
    for (size_t i = hash & index.mask, n = 0; n <= index.mask; ++n, i = (i + 1) & index.mask) {
      const Slot& slot = index.slots[i];
      Entry* e = slot.entry.load(std::memory_order_acquire);
      if (e == nullptr) return nullptr;
      if (slot.hash.load(std::memory_order_relaxed) != hash) continue;
      const uint64_t v = Version(*e).load(std::memory_order_acquire);
      if ((v & 1) == 0 && HashOf(*e).load(std::memory_order_acquire) == hash) {
        *version = v;
        return e;
      }
    }
    return nullptr;
  }

  // The entry holding `hash` and its version, or null. A hit is right whatever the index
  // went through (the entry's version says); a miss counts only if no rebuild or growth
  // overlapped a probe, so only misses read the index version.
  Entry* FindEntry(uint64_t hash, uint64_t* version) const {
    if (Entry* e = Probe(*index_.load(std::memory_order_acquire), hash, version)) return e;
    for (;;) {
      const uint64_t index_version = index_version_.load(std::memory_order_acquire);
      if (index_version & 1) {
        std::this_thread::yield();  // a rebuild in progress (O(index), rare)
        continue;
      }
      Entry* e = Probe(*index_.load(std::memory_order_acquire), hash, version);
      if (e != nullptr) return e;
      if (index_version_.load(std::memory_order_acquire) == index_version) return nullptr;
    }
  }

  template <class Idle>
  Entry* FindOrCreate(uint64_t hash, Idle& idle) {
    uint64_t version = 0;
    if (Entry* e = FindEntry(hash, &version)) return e;
    std::lock_guard<std::mutex> lock(mutex_);
    // Under mutex_ no entry changes hands and the index is not rebuilt: the probe is exact.
    if (Entry* e = Probe(*index_.load(std::memory_order_relaxed), hash, &version)) return e;
    Entry* e = TakeFree(idle);
    if (e == nullptr) return nullptr;
    {
      std::lock_guard<std::mutex> entry_lock(e->mutex);
      e->Reset();
      HashOf(*e).store(hash, std::memory_order_release);
      Version(*e).fetch_add(1, std::memory_order_release);  // even: holds `hash`
    }
    ++held_;
    Insert(e, hash);
    return e;
  }

  // With mutex_ held: a free entry, allocating or forgetting idle accounts as needed.
  template <class Idle>
  Entry* TakeFree(Idle& idle) {
    if (free_.empty()) {
      if (entries_.size() < max_accounts_) {
        // Before doubling the entries, look for quiet ones: O(1) amortized per new account.
        if (entries_.size() >= next_sweep_) {
          Sweep(idle, entries_.size());
          next_sweep_ = std::max(kMinSweep, 2 * held_);
        }
        if (free_.empty()) entries_.push_back(std::make_unique<Entry>());
        if (free_.empty()) return entries_.back().get();
      } else {
        // Full: each new account looks at the next kFullSweep entries (a bounded cost per
        // refusal while every account is in use; a full round every max/kFullSweep).
        Sweep(idle, kFullSweep);
        if (free_.empty()) return nullptr;
      }
    }
    Entry* e = free_.back();
    free_.pop_back();
    return e;
  }

  // Looks at `count` entries from the sweep hand on, freeing those of idle accounts.
  template <class Idle>
  void Sweep(Idle& idle, size_t count) {
    for (size_t n = 0; n < count && n < entries_.size(); ++n) {
      if (hand_ >= entries_.size()) hand_ = 0;
      Entry& e = *entries_[hand_++];
      std::lock_guard<std::mutex> lock(e.mutex);
      if ((Version(e).load(std::memory_order_relaxed) & 1) != 0 || !idle(e)) continue;
      Version(e).fetch_add(1, std::memory_order_release);  // odd: free
      free_.push_back(&e);
      --held_;
    }
  }

  // With mutex_ held: puts `e` (holding `hash`) into the index, first rebuilding the index
  // or growing it when it would be more than half full of used and stale slots.
  void Insert(Entry* e, uint64_t hash) {
    Index* index = indexes_.back().get();
    if (2 * (used_ + 1) > index->capacity()) {
      if (4 * held_ > index->capacity() && index->capacity() < max_index_) {
        indexes_.push_back(std::make_unique<Index>(2 * index->capacity()));
        Index* grown = indexes_.back().get();
        index_version_.fetch_add(1, std::memory_order_acq_rel);
        used_ = Fill(grown, e);
        index_.store(grown, std::memory_order_release);
        index_version_.fetch_add(1, std::memory_order_release);
        index = grown;
      } else {
        index_version_.fetch_add(1, std::memory_order_acq_rel);  // odd: readers wait
        index->Clear();
        used_ = Fill(index, e);
        index_version_.fetch_add(1, std::memory_order_release);
      }
    }
    Place(index, e, hash);
    ++used_;
  }

  // Places every held entry except `skip` into `index`; returns how many.
  size_t Fill(Index* index, const Entry* skip) {
    size_t n = 0;
    for (const std::unique_ptr<Entry>& owned : entries_) {
      Entry* e = owned.get();
      if (e == skip || (Version(*e).load(std::memory_order_relaxed) & 1) != 0) continue;
      Place(index, e, HashOf(*e).load(std::memory_order_relaxed));
      ++n;
    }
    return n;
  }

  static void Place(Index* index, Entry* e, uint64_t hash) {
    size_t i = hash & index->mask;
    while (index->slots[i].entry.load(std::memory_order_relaxed) != nullptr) {
      i = (i + 1) & index->mask;
    }
    index->slots[i].hash.store(hash, std::memory_order_relaxed);
    index->slots[i].entry.store(e, std::memory_order_release);
  }

  const size_t max_accounts_;
  const size_t max_index_;  // index capacity that holds max_accounts_ at half load
  std::atomic<const Index*> index_{nullptr};
  std::atomic<uint64_t> index_version_{0};  // odd while the index is rebuilt

  mutable std::mutex mutex_;  // serializes entries changing hands and index changes
  // Guarded by mutex_.
  std::vector<std::unique_ptr<Index>> indexes_;  // the current one last
  std::vector<std::unique_ptr<Entry>> entries_;  // every entry, held or free
  std::vector<Entry*> free_;
  size_t held_ = 0;
  size_t used_ = 0;  // non-empty slots of the current index, stale ones included
  size_t next_sweep_ = kMinSweep;
  size_t hand_ = 0;  // the next entry a sweep looks at
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

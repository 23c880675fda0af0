// AccountTable<Entry>: per-account statistics of one route, found without locks.
//
// Usage-driven strategies keep a small record per account (a usage window, a latency
// average, the picks in flight). A pick reads the record of every account of its pool, so
// finding a record must cost next to nothing and must not serialize concurrent picks:
// the table is a fixed-size open-addressing array of atomic pointers, keyed by the 64-bit
// XXH64 of the account ID (as the weighted strategy's scores are; no ID is copied).
// Lookups probe without locks; an insert publishes a new entry with one compare-and-swap
// (the loser of a race adopts the winner's entry). Entries are never removed, so a pointer
// stays valid as long as the table lives. Each Entry synchronizes its own fields (see the
// strategies): typically a small mutex for writers and atomics that readers load.
//
// Bound: at most 3/4 of `capacity` accounts (24,576 by default: a proxy has thousands, not
// tens of thousands); beyond that, accounts not yet known get no entry (FindOrCreate
// returns null) and the strategies treat them as accounts without statistics.
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_
#define CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace cliproxy::scheduler {

template <class Entry>
class AccountTable {
 public:
  static constexpr size_t kDefaultCapacity = 32768;

  // `capacity` slots (rounded up to a power of two); at most 3/4 of them are used.
  explicit AccountTable(size_t capacity = kDefaultCapacity)
      : mask_(std::bit_ceil(capacity < 4 ? size_t{4} : capacity) - 1),
        limit_((mask_ + 1) / 4 * 3),
        slots_(new std::atomic<Node*>[mask_ + 1]) {
    for (size_t i = 0; i <= mask_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
  }
  ~AccountTable() {
    for (size_t i = 0; i <= mask_; ++i) delete slots_[i].load(std::memory_order_relaxed);
  }
  AccountTable(const AccountTable&) = delete;
  AccountTable& operator=(const AccountTable&) = delete;

  // The entry of the account with ID hash `hash`, or null if it has none.
  Entry* Find(uint64_t hash) const {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Node* node = slots_[i].load(std::memory_order_acquire);
      if (node == nullptr) return nullptr;
      if (node->hash == hash) return &node->entry;
    }
  }

  // The entry of `hash`, made (default-constructed) if it has none; null when full.
  Entry* FindOrCreate(uint64_t hash) {
    std::unique_ptr<Node> fresh;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Node* node = slots_[i].load(std::memory_order_acquire);
      if (node == nullptr) {
        if (size_.load(std::memory_order_relaxed) >= limit_) return nullptr;
        if (!fresh) fresh = std::make_unique<Node>(hash);
        if (slots_[i].compare_exchange_strong(node, fresh.get(), std::memory_order_acq_rel)) {
          size_.fetch_add(1, std::memory_order_relaxed);
          return &fresh.release()->entry;
        }
        // Another insert took the slot: `node` is now its entry.
      }
      if (node->hash == hash) return &node->entry;
    }
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Node {
    explicit Node(uint64_t h) : hash(h) {}
    const uint64_t hash;
    Entry entry;
  };

  const size_t mask_;
  const size_t limit_;
  std::unique_ptr<std::atomic<Node*>[]> slots_;
  std::atomic<size_t> size_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ACCOUNT_TABLE_HPP_

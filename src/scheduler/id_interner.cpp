#include "scheduler/id_interner.hpp"

#include <bit>

namespace cliproxy::scheduler {

IdInterner::IdInterner(size_t capacity) {
  size_t n = std::bit_ceil(capacity < 4 ? size_t{4} : capacity);
  mask_ = n - 1;
  limit_ = n - n / 4;
  slots_ = std::make_unique<std::atomic<InternedId*>[]>(n);
  for (size_t i = 0; i < n; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

IdInterner::~IdInterner() {
  for (size_t i = 0; i <= mask_; ++i) delete slots_[i].load(std::memory_order_relaxed);
}

const InternedId* IdInterner::Intern(std::string_view id, uint64_t hash) {
  InternedId* fresh = nullptr;
  for (size_t probe = 0, i = hash & mask_; probe <= mask_; ++probe, i = (i + 1) & mask_) {
    InternedId* entry = slots_[i].load(std::memory_order_acquire);
    if (entry == nullptr) {
      if (fresh == nullptr) {
        // Reserve room before inserting so that the table never fills beyond its limit,
        // which keeps probe sequences short and guarantees an empty slot ends them.
        if (size_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
          size_.fetch_sub(1, std::memory_order_relaxed);
          return nullptr;
        }
        fresh = new InternedId{hash, std::string(id)};
      }
      if (slots_[i].compare_exchange_strong(entry, fresh, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        return fresh;
      }
      // Another thread filled this slot first; `entry` is now its value.
    }
    if (entry->hash == hash && entry->id == id) {
      if (fresh != nullptr) {
        delete fresh;
        size_.fetch_sub(1, std::memory_order_relaxed);
      }
      return entry;
    }
  }
  if (fresh != nullptr) {
    delete fresh;
    size_.fetch_sub(1, std::memory_order_relaxed);
  }
  return nullptr;
}

}  // namespace cliproxy::scheduler

// AccountSlots<Slot>: a bounded, lock-free map from an ID (an account ID, an error code) to
// a slot of counters, for statistics that picks update and the status page reads.
//
// Why not AccountTable: that table locks an account's entry to update it and hands quiet
// entries to new accounts; statistics since start must be counted without any lock (a pick
// never waits for the page) and are never forgotten. So slots are only ever added: a new ID
// allocates its slot once (the ID copied into it) and publishes it with one compare-and-swap
// into an open-addressing array of `capacity` pointers, allocated on first use (a table that
// is never written costs one pointer). When the array is full, a new ID gets no slot
// (Find returns null) and the caller counts it elsewhere ("other accounts").
//
// Slot must be default-constructible; its counters must be atomics. A slot's `id` and
// `hash` are written before it is published and never change.
//
// Thread-safety: every method may be called concurrently; nothing blocks.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_ACCOUNT_SLOTS_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_ACCOUNT_SLOTS_HPP_

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/hash.hpp"

namespace cliproxy::scheduler {

template <class Slot>
class AccountSlots {
 public:
  explicit AccountSlots(size_t capacity)
      : capacity_(std::bit_ceil(std::max<size_t>(capacity, 2))) {}
  AccountSlots(const AccountSlots&) = delete;
  AccountSlots& operator=(const AccountSlots&) = delete;
  ~AccountSlots() {
    Array* array = array_.load(std::memory_order_acquire);
    if (array == nullptr) return;
    for (size_t i = 0; i < capacity_; ++i) delete array->slots[i].load(std::memory_order_relaxed);
    delete array;
  }

  // The slot of `id`, made if it has none; null when the table is full.
  Slot* Obtain(std::string_view id) {
    Array* array = Get();
    const uint64_t hash = Hash64(id);
    const size_t mask = capacity_ - 1;
    std::unique_ptr<Slot> made;
    for (size_t n = 0, i = hash & mask; n < capacity_; ++n, i = (i + 1) & mask) {
      std::atomic<Slot*>& cell = array->slots[i];
      Slot* s = cell.load(std::memory_order_acquire);
      if (s == nullptr) {
        if (!made) {
          made = std::make_unique<Slot>();
          made->id.assign(id);
          made->hash = hash;
        }
        if (cell.compare_exchange_strong(s, made.get(), std::memory_order_acq_rel)) {
          size_.fetch_add(1, std::memory_order_relaxed);
          return made.release();
        }
        // Lost the race: `s` is the slot another thread published here.
      }
      if (s->hash == hash && s->id == id) return s;
    }
    return nullptr;
  }

  // The slot of `id`, or null.
  const Slot* Find(std::string_view id) const {
    const Array* array = array_.load(std::memory_order_acquire);
    if (array == nullptr) return nullptr;
    const uint64_t hash = Hash64(id);
    const size_t mask = capacity_ - 1;
    for (size_t n = 0, i = hash & mask; n < capacity_; ++n, i = (i + 1) & mask) {
      const Slot* s = array->slots[i].load(std::memory_order_acquire);
      if (s == nullptr) return nullptr;
      if (s->hash == hash && s->id == id) return s;
    }
    return nullptr;
  }

  // Calls fn(const Slot&) for every slot published so far.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    const Array* array = array_.load(std::memory_order_acquire);
    if (array == nullptr) return;
    for (size_t i = 0; i < capacity_; ++i) {
      if (const Slot* s = array->slots[i].load(std::memory_order_acquire)) fn(*s);
    }
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }

 private:
  struct Array {
    explicit Array(size_t n) : slots(std::make_unique<std::atomic<Slot*>[]>(n)) {}
    std::unique_ptr<std::atomic<Slot*>[]> slots;
  };

  Array* Get() {
    Array* array = array_.load(std::memory_order_acquire);
    if (array != nullptr) return array;
    auto fresh = std::make_unique<Array>(capacity_);
    if (array_.compare_exchange_strong(array, fresh.get(), std::memory_order_acq_rel)) {
      return fresh.release();
    }
    return array;  // another thread's
  }

  const size_t capacity_;
  std::atomic<Array*> array_{nullptr};
  std::atomic<size_t> size_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_ACCOUNT_SLOTS_HPP_

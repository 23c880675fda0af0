// IdInterner: one stable, immutable copy of each account ID, found without locks.
//
// Round-robin remembers the last account it chose as a pointer to an interned ID, so that
// the cursor is a single atomic word (compare-and-swap, no lock, no allocation per pick)
// while still knowing the ID's place in ID order after that account has left the pool.
//
// A fixed-size open-addressing table of atomic pointers, filled at most to 3/4: lookups
// probe without locks; an insert publishes a new entry with one compare-and-swap (the
// loser of a race adopts the winner's entry). Entries are never removed, so a pointer
// stays valid as long as the interner lives. When the table is full, Intern() returns
// null for IDs not yet interned; callers must treat that as "cannot remember".
//
// Thread-safety: every method may be called concurrently.
#ifndef CLIPROXY_SRC_SCHEDULER_ID_INTERNER_HPP_
#define CLIPROXY_SRC_SCHEDULER_ID_INTERNER_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cliproxy::scheduler {

struct InternedId {
  uint64_t hash;
  std::string id;
};

class IdInterner {
 public:
  // `capacity` slots (rounded up to a power of two); at most 3/4 of them are used.
  explicit IdInterner(size_t capacity = 8192);
  ~IdInterner();
  IdInterner(const IdInterner&) = delete;
  IdInterner& operator=(const IdInterner&) = delete;

  // The interned copy of `id` (whose Hash64 is `hash`), inserted if new; null when full.
  const InternedId* Intern(std::string_view id, uint64_t hash);

 private:
  size_t mask_;
  size_t limit_;
  std::unique_ptr<std::atomic<InternedId*>[]> slots_;
  std::atomic<size_t> size_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ID_INTERNER_HPP_

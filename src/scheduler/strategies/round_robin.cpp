#include "scheduler/strategies/round_robin.hpp"

#include <string>

#include "scheduler/hash.hpp"

namespace cliproxy::scheduler {
namespace {

// The accounts that follow a cursor in the rotation, in rotation order: the pass that
// finds the next account finds its next few successors for about the same price, and
// they let a pick that lost its compare-and-swap go on without another pass.
struct Chain {
  static constexpr size_t kCapacity = 4;

  const Candidate* at[kCapacity];
  // Whether each account comes after the cursor only by wrapping around (ID <= cursor).
  bool wraps[kCapacity];
  size_t size = 0;
  // Every distinct ID of the pool is in `at`, so the account after at[size - 1] is at[0].
  bool whole_pool = true;

  // The index of the account whose ID is `cursor`'s, or kCapacity.
  size_t Find(const InternedId* cursor) const {
    if (cursor == nullptr) return kCapacity;
    for (size_t i = 0; i < size; ++i) {
      if (at[i]->id == cursor->id) return i;
    }
    return kCapacity;
  }
};

// The accounts after `last` in ID order, wrapping around; from the smallest when `last`
// is null. One pass over the pool: each candidate is compared with `last` and, unless it
// wraps while the chain holds no wrapped account, with the chain's last entry; only the
// few that enter the chain cost more. The first of duplicate IDs is kept.
Chain NextInRotation(PoolView pool, const InternedId* last) {
  constexpr size_t kFull = Chain::kCapacity;
  Chain chain;
  for (const Candidate* c : pool) {
    const bool wraps = last != nullptr && c->id.compare(last->id) <= 0;
    if (chain.size == kFull) {
      const size_t tail = kFull - 1;
      if (wraps && !chain.wraps[tail]) {
        chain.whole_pool = false;
        continue;
      }
      if (wraps == chain.wraps[tail]) {
        const int order = c->id.compare(chain.at[tail]->id);
        if (order == 0) continue;
        if (order > 0) {
          chain.whole_pool = false;
          continue;
        }
      }
    }
    size_t pos = 0;
    bool duplicate = false;
    for (; pos < chain.size; ++pos) {
      if (wraps != chain.wraps[pos]) {
        if (!wraps) break;
        continue;
      }
      const int order = c->id.compare(chain.at[pos]->id);
      duplicate = order == 0;
      if (order <= 0) break;
    }
    if (duplicate) continue;
    if (chain.size == kFull) {
      chain.whole_pool = false;  // the tail leaves the chain
    } else {
      ++chain.size;
    }
    for (size_t i = chain.size - 1; i > pos; --i) {
      chain.at[i] = chain.at[i - 1];
      chain.wraps[i] = chain.wraps[i - 1];
    }
    chain.at[pos] = c;
    chain.wraps[pos] = wraps;
  }
  return chain;
}

}  // namespace

std::unique_ptr<Strategy> RoundRobinStrategy::Create(const StrategyBuild& build) {
  auto cursor = build.state.Obtain<RoundRobinCursor>("round-robin");
  return std::make_unique<RoundRobinStrategy>(std::move(cursor));
}

Outcome RoundRobinStrategy::Pick(const PickContext& context) const {
  const InternedId* last = cursor_->last.load(std::memory_order_acquire);
  for (;;) {
    const Chain chain = NextInRotation(context.pool, last);
    size_t next = 0;
    for (;;) {
      const Candidate* chosen = chain.at[next];
      const InternedId* interned = cursor_->ids.Intern(chosen->id, Hash64(chosen->id));
      // On failure `last` becomes the cursor another pick just published.
      if (cursor_->last.compare_exchange_weak(last, interned, std::memory_order_acq_rel,
                                              std::memory_order_acquire)) {
        return Outcome::Auth(chosen);
      }
      // When that pick took an account of the chain (most often the one this pick wanted,
      // from the same cursor), the account after it is already known.
      const size_t taken = chain.Find(last);
      if (taken + 1 < chain.size) {
        next = taken + 1;
      } else if (taken < chain.size && chain.whole_pool) {
        next = 0;
      } else {
        break;  // the cursor went elsewhere (another pool, or a longer race): a new pass
      }
    }
  }
}

}  // namespace cliproxy::scheduler

#include "scheduler/strategies/round_robin/round_robin.hpp"

#include <string>

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
  size_t Find(const CursorNode* cursor) const {
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
Chain NextInRotation(PoolView pool, const CursorNode* last) {
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

RoundRobinCursor::~RoundRobinCursor() {
  CursorNode* n = nodes_.load(std::memory_order_acquire);
  while (n != nullptr) {
    CursorNode* next = n->next;
    delete n;
    n = next;
  }
}

const CursorNode* RoundRobinCursor::Hold() const {
  for (;;) {
    CursorNode* n = last_.load(std::memory_order_acquire);
    if (n == nullptr) return nullptr;
    // With the count up and no owner, no pick can claim the node (its ID stays as it is)
    // until Release; an owner's writes happened before its release of the claim.
    const uint32_t before = n->refs.fetch_add(1, std::memory_order_acquire);
    if ((before & kClaimed) == 0 && last_.load(std::memory_order_acquire) == n) return n;
    n->refs.fetch_sub(1, std::memory_order_release);
  }
}

void RoundRobinCursor::Release(const CursorNode* node) const {
  if (node != nullptr) node->refs.fetch_sub(1, std::memory_order_release);
}

CursorNode* RoundRobinCursor::Claim() {
  for (CursorNode* n = nodes_.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    uint32_t free = 0;
    if (n->refs.load(std::memory_order_relaxed) != 0 ||
        !n->refs.compare_exchange_strong(free, kClaimed, std::memory_order_acquire)) {
      continue;
    }
    // The cursor itself may have no reader right now; it stays readable.
    if (last_.load(std::memory_order_acquire) != n) return n;
    n->refs.fetch_sub(kClaimed, std::memory_order_release);
  }
  auto* n = new CursorNode();
  n->refs.store(kClaimed, std::memory_order_relaxed);
  n->next = nodes_.load(std::memory_order_relaxed);
  while (!nodes_.compare_exchange_weak(n->next, n, std::memory_order_release,
                                       std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  return n;
}

bool RoundRobinCursor::Publish(const CursorNode** held, CursorNode* claimed) {
  CursorNode* expected = const_cast<CursorNode*>(*held);
  if (last_.compare_exchange_strong(expected, claimed, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
    claimed->refs.fetch_sub(kClaimed, std::memory_order_release);
    Release(*held);
    *held = nullptr;
    return true;
  }
  Release(*held);
  *held = Hold();
  return false;
}

const StrategyInfo& RoundRobinStrategyInfo() {
  static constexpr StrategyInfo kInfo{.name = "round-robin", .create = &RoundRobinStrategy::Create};
  return kInfo;
}

std::unique_ptr<Strategy> RoundRobinStrategy::Create(const StrategyBuild& build) {
  auto cursor = build.state.Obtain<RoundRobinCursor>("round-robin");
  return std::make_unique<RoundRobinStrategy>(std::move(cursor));
}

Outcome RoundRobinStrategy::Pick(const PickContext& context) const {
  const CursorNode* held = cursor_->Hold();
  CursorNode* claimed = nullptr;  // written with the chosen ID, then published
  for (;;) {
    const Chain chain = NextInRotation(context.pool, held);
    size_t next = 0;
    for (;;) {
      const Candidate* chosen = chain.at[next];
      if (context.dry_run) {
        cursor_->Release(held);
        return Outcome::Auth(chosen);
      }
      if (claimed == nullptr) claimed = cursor_->Claim();
      claimed->id.assign(chosen->id);  // allocates only for an ID longer than any before
      // On failure `held` becomes the cursor another pick just published.
      if (cursor_->Publish(&held, claimed)) return Outcome::Auth(chosen);
      // When that pick took an account of the chain (most often the one this pick wanted,
      // from the same cursor), the account after it is already known.
      const size_t taken = chain.Find(held);
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

#include "scheduler/strategies/round_robin.hpp"

#include "scheduler/hash.hpp"

namespace cliproxy::scheduler {
namespace {

// The account after `last` in ID order, wrapping around; the smallest when `last` is null.
const Candidate* Successor(PoolView pool, const InternedId* last) {
  const Candidate* smallest = nullptr;
  const Candidate* next = nullptr;
  for (const Candidate* c : pool) {
    if (smallest == nullptr || c->id < smallest->id) smallest = c;
    if (last != nullptr && c->id > last->id && (next == nullptr || c->id < next->id)) next = c;
  }
  return next != nullptr ? next : smallest;
}

}  // namespace

std::unique_ptr<Strategy> RoundRobinStrategy::Create(const StrategyBuild& build) {
  auto cursor = build.state.Obtain<RoundRobinCursor>("round-robin");
  return std::make_unique<RoundRobinStrategy>(std::move(cursor));
}

Outcome RoundRobinStrategy::Pick(const PickContext& context) const {
  const InternedId* last = cursor_->last.load(std::memory_order_acquire);
  for (;;) {
    const Candidate* chosen = Successor(context.pool, last);
    const InternedId* interned = cursor_->ids.Intern(chosen->id, Hash64(chosen->id));
    // On failure `last` becomes the cursor another pick just published; try again from it.
    if (cursor_->last.compare_exchange_weak(last, interned, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
      return Outcome::Auth(chosen);
    }
  }
}

}  // namespace cliproxy::scheduler

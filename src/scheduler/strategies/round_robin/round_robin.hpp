// RoundRobinStrategy (`round-robin`): rotation over the pool in ascending ID order. The
// cursor is the account chosen last (not an index), so the rotation stays stable when the
// pool changes between picks. The cursor (RoundRobinCursor, role "round-robin") belongs to
// the route and survives reconfigures that keep its name.
//
// Thread-safety: Pick is lock-free (one atomic cursor, compare-and-swap); with a fixed pool
// of n accounts any n consecutive picks from any threads choose each account once. At most
// 1 + 2 x (picks running at once) cursor nodes. Algorithm: docs/strategies.md#round-robin.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_ROUND_ROBIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_ROUND_ROBIN_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

// One ID the cursor held or will hold. `refs` counts the picks reading `id`, plus
// kClaimed while one pick owns the node to write `id`: a pick claims a node only when none
// reads it and it is not the cursor, and a reader never holds a claimed node.
struct CursorNode {
  static constexpr uint32_t kClaimed = uint32_t{1} << 31;
  mutable std::atomic<uint32_t> refs{0};
  std::string id;
  CursorNode* next = nullptr;  // every node of the cursor, in a list; set before publication
};

// The rotation's cursor, shared across Policies. Thread-safety: every method may be called
// concurrently.
class RoundRobinCursor : public StrategyState {
 public:
  RoundRobinCursor() = default;
  ~RoundRobinCursor() override;
  RoundRobinCursor(const RoundRobinCursor&) = delete;
  RoundRobinCursor& operator=(const RoundRobinCursor&) = delete;

  // The node of the account chosen last, its `id` readable until Release; null before
  // the first pick (start at the smallest ID).
  const CursorNode* Hold() const;
  void Release(const CursorNode* node) const;  // null is fine
  // A node no pick reads, owned by the caller, which may write its `id`.
  CursorNode* Claim();
  // Makes `claimed` the cursor if the cursor is still `*held`, then releases both (true).
  // Otherwise releases `*held` and holds the newer cursor in `*held` (false); the caller
  // still owns `claimed`.
  bool Publish(const CursorNode** held, CursorNode* claimed);

  // Nodes allocated (for tests of the bound).
  size_t nodes() const { return count_.load(std::memory_order_relaxed); }
  size_t Records() const override { return nodes(); }

 private:
  static constexpr uint32_t kClaimed = CursorNode::kClaimed;
  std::atomic<CursorNode*> last_{nullptr};
  std::atomic<CursorNode*> nodes_{nullptr};  // list head; nodes are never removed
  std::atomic<size_t> count_{0};
};

class RoundRobinStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  explicit RoundRobinStrategy(std::shared_ptr<RoundRobinCursor> cursor)
      : cursor_(std::move(cursor)) {}

  Outcome Pick(const PickContext& context) const override;

 private:
  std::shared_ptr<RoundRobinCursor> cursor_;
};

// The registry's row of `round-robin`.
const StrategyInfo& RoundRobinStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_ROUND_ROBIN_ROUND_ROBIN_HPP_

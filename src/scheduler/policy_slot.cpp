#include "scheduler/policy_slot.hpp"

namespace cliproxy::scheduler {
namespace {

std::atomic<uint64_t> g_next_generation{1};

// The last policy this thread read from any slot.
struct ThreadCache {
  uint64_t generation = 0;
  std::shared_ptr<const Policy> policy;
};
thread_local ThreadCache t_cache;

}  // namespace

std::shared_ptr<const Policy> PolicySlot::Load() const {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (generation == 0) return nullptr;
  if (t_cache.generation != generation) {
    std::lock_guard<std::mutex> lock(mutex_);
    t_cache.policy = policy_;
    t_cache.generation = generation_.load(std::memory_order_relaxed);
  }
  return t_cache.policy;
}

void PolicySlot::Store(std::shared_ptr<const Policy> policy) {
  std::shared_ptr<const Policy> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::move(policy_);
    policy_ = std::move(policy);
    generation_.store(g_next_generation.fetch_add(1, std::memory_order_relaxed),
                      std::memory_order_release);
  }
  // `old` is released here, outside the lock (its destructor may free route state).
}

}  // namespace cliproxy::scheduler

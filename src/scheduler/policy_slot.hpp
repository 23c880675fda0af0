// PolicySlot: where one plugin instance publishes its current Policy for the picks.
//
// Writers (register/reconfigure) replace the policy under a mutex and then advance the
// slot's generation. Readers (picks) do not lock on the fast path: each thread remembers
// the last (generation, policy) it read, and a pick only compares the slot's generation
// (one atomic load) with that memory; only after a reconfigure does a thread take the
// mutex, once, to copy the new pointer. So picks never wait for a reconfigure's work
// (compiling happens before Store) and always see one whole policy.
//
// Why not std::atomic<std::shared_ptr>: libstdc++ 12 implements it with an internal lock
// bit that ThreadSanitizer reports as a race, and it costs a lock on every load anyway.
//
// Cost of the fast path: one atomic load plus a shared_ptr copy. Each thread keeps the
// last policy it read alive until its next pick or its exit.
//
// Thread-safety: Load() and Store() may be called concurrently from any threads.
#ifndef CLIPROXY_SRC_SCHEDULER_POLICY_SLOT_HPP_
#define CLIPROXY_SRC_SCHEDULER_POLICY_SLOT_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "scheduler/policy.hpp"

namespace cliproxy::scheduler {

class PolicySlot {
 public:
  // The policy in force, or null before the first Store().
  std::shared_ptr<const Policy> Load() const;
  void Store(std::shared_ptr<const Policy> policy);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Policy> policy_;  // guarded by mutex_
  // 0 until the first Store(); afterwards unique across all slots of the process, so a
  // thread's remembered generation identifies both the slot and the policy.
  std::atomic<uint64_t> generation_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POLICY_SLOT_HPP_

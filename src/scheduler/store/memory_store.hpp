// MemoryStore (`state: {store: memory}`, the default): the state lives in this process's
// memory only, as it always did. (A state adopted from a Redis store stops being shared
// when that store closes.)
//
// Thread-safety: see state_store.hpp.
#ifndef CLIPROXY_SRC_SCHEDULER_STORE_MEMORY_STORE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STORE_MEMORY_STORE_HPP_

#include "scheduler/store/state_store.hpp"

namespace cliproxy::scheduler {

class MemoryStore : public StateStore {
 public:
  explicit MemoryStore(StoreConfig config) : StateStore(std::move(config)) {}
  void Attach(const std::shared_ptr<StoredState>& /*state*/, bool /*fresh*/) override {}
  std::string Describe() const override { return "memory"; }
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STORE_MEMORY_STORE_HPP_

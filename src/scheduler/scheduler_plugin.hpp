// SchedulerPlugin: the `scheduler.so` plugin class. Decodes configurations into Policies
// and answers picks from the current one.
//
// Thread-safety: the current Policy is an immutable snapshot behind an atomic shared
// pointer. Register/Reconfigure compile a new Policy off to the side and swap it in; a pick
// loads the pointer once and decides with that snapshot, so it never blocks on a
// reconfigure and never sees half a configuration. A configuration that fails to decode or
// compile leaves the previous Policy in force.
#ifndef CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

#include <atomic>
#include <memory>
#include <mutex>

#include "cliproxy/plugin.hpp"
#include "scheduler/policy.hpp"

namespace cliproxy::scheduler {

// The registration `scheduler.so` answers with (metadata, ConfigFields, capabilities).
Registration SchedulerRegistration();

// The wire form of a decision: a PickResult, or an error for the envelope.
Result<PickResult> ToPickResult(const Decision& decision);

class SchedulerPlugin : public Plugin {
 public:
  Result<Registration> Register(const LifecycleRequest& request) override;
  Result<PickResult> Pick(const PickRequest& request) override;
  Result<PickResult> PickBody(std::string_view body) override;

  // The policy in force (null before the first successful register).
  std::shared_ptr<const Policy> policy() const { return policy_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::shared_ptr<const Policy>> policy_;
  std::mutex reconfigure_mutex_;  // serializes writers only; picks never take it
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

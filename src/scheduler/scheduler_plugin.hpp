// SchedulerPlugin: the `scheduler.so` plugin class. Decodes configurations into Policies
// and answers picks from the current one.
//
// Extension method `scheduler.explain` (served by HandleOther; any other plugin answers it
// `unknown_method`): the body is a scheduler.pick body, the reply says what decided:
//   {"ok":true,"result":{"Decision":{"AuthID":...,"DelegateBuiltin":...,"Handled":...},
//                        "Rule":"routes[0] team-a","Error":{"code":...,"message":...,
//                        "http_status":N}}}
// `Decision` is the PickResult scheduler.pick would answer (all zero when it would answer
// an error); `Rule` is what decided: "deny", "delegate", "auth_id", "routes[<i>] <name>",
// or "" when nothing did (unhandled); `Error` is present only when the pick would fail. A
// body that does not decode gets the same `invalid_request` error as scheduler.pick.
// Explain never changes state: it asks the live policy what it would decide now
// (Policy::Explain), without moving a round-robin cursor, spending a weighted credit,
// binding a session or counting a pick in flight; so the account is the one a pick sent
// instead would get, as long as nothing else happens in between.
//
// Thread-safety: the current Policy is an immutable snapshot published in a PolicySlot.
// Register/Reconfigure compile a new Policy off to the side and swap it in; a pick loads
// the snapshot once (without locking) and decides with it, so it never blocks on a
// reconfigure and never sees half a configuration. A configuration that fails to decode or
// compile leaves the previous Policy in force.
#ifndef CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

#include <memory>
#include <mutex>

#include "cliproxy/plugin.hpp"
#include "scheduler/policy.hpp"
#include "scheduler/policy_slot.hpp"

namespace cliproxy::scheduler {

// The registration `scheduler.so` answers with (metadata, ConfigFields, capabilities).
// `usage_plugin` is declared only for a policy that reads usage records (a route whose
// strategy's registry row says `reads_usage`), so that the host does not send one call per request
// for nothing. `scheduler_across_priorities` is declared when the configuration says
// `across_priorities: true`.
Registration SchedulerRegistration(bool reads_usage = false, bool across_priorities = false);

// The wire form of a decision: a PickResult, or an error for the envelope.
Result<PickResult> ToPickResult(const Decision& decision);

class SchedulerPlugin : public Plugin {
 public:
  Result<Registration> Register(const LifecycleRequest& request) override;
  Result<PickResult> Pick(const PickRequest& request) override;
  Result<PickResult> PickBody(std::string_view body) override;
  Result<Empty> HandleUsage(const UsageRecord& record) override;
  RawReply HandleOther(std::string_view method, std::string_view body) override;

  // The policy in force (null before the first successful register).
  std::shared_ptr<const Policy> policy() const { return policy_.Load(); }

 private:
  RawReply Explain(std::string_view body) const;

  PolicySlot policy_;
  std::mutex reconfigure_mutex_;          // serializes writers only; picks never take it
  std::shared_ptr<const Logger> logger_;  // to host.log; made at the first register
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

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
// "no_route", "config" (no valid configuration yet), or "" when nothing did (unhandled);
// `Error` is present only when the pick would fail; `ConfigError` ("invalid configuration:
// <key>: line L, column C: ...") only when the last register/reconfigure was rejected. A
// body that does not decode gets the same `invalid_request` error as scheduler.pick.
// Explain never changes state: it asks the live policy what it would decide now
// (Policy::Explain), without moving a round-robin cursor, spending a weighted credit,
// binding a session or counting a pick in flight; so the account is the one a pick sent
// instead would get, as long as nothing else happens in between.
//
// Thread-safety: the current Policy is an immutable snapshot published in a PolicySlot.
// Register/Reconfigure compile a new Policy off to the side and swap it in; a pick loads
// the snapshot once (without locking) and decides with it, so it never blocks on a
// reconfigure and never sees half a configuration.
//
// A configuration that does not parse or compile (issue 10: CLIProxyAPI drops a plugin whose
// reconfigure fails and routes with its built-in strategy over every account, which would
// turn tenant pools off) is reported to the host log at error level (key, line, column)
// and then:
//   - after a good configuration: answered `ok` with the registration in force, which stays;
//   - with no good one yet: answered `ok`, and every pick fails with 503
//     `scheduler_config_invalid` (Policy::FailClosed) until a valid one arrives;
//   - with `fail_open: true` (read from the bad YAML when it is a mapping, else from the
//     last good configuration): refused as before (`invalid_config`, return code 1), so that
//     the host routes with its built-in strategy; the last good configuration is kept for
//     when the host asks again.
// State store (`state:`, docs/state.md): the plugin keeps one StateStore per `state:`
// configuration; a reconfigure that changes it makes the new store, compiles the policy
// onto it, publishes the policy, then closes the old store. Shutdown closes the store
// (the file store writes its last snapshot). Extension method `scheduler.state.sync` (any
// body): waits up to 5 s for one full exchange with the store (a snapshot written, or
// Redis updated and read) and answers {"ok":true,"result":{"Store":"...","Synced":bool}};
// tools and tests use it, picks never wait for it.
//
// A lifecycle body that is not a lifecycle request (not JSON, bad base64) is refused by the
// framework before it gets here: no host sends one.
#ifndef CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "cliproxy/plugin.hpp"
#include "scheduler/policy.hpp"
#include "scheduler/policy_slot.hpp"
#include "scheduler/status/status_board.hpp"
#include "scheduler/status/status_routes.hpp"

namespace cliproxy::scheduler {

// The registration `scheduler.so` answers with (metadata, ConfigFields, capabilities).
// `usage_plugin` is declared only for a policy that reads usage records (a route whose
// strategy's registry row says `reads_usage`), so that the host does not send one call per request
// for nothing. `scheduler_across_priorities` is declared when the configuration says
// `across_priorities: true`; `management_api` (the status page, docs/status.md) unless it
// says `status_page: false`.
Registration SchedulerRegistration(bool reads_usage = false, bool across_priorities = false,
                                   bool status_page = true);
// The registration of a plugin whose policy in force is `policy`.
Registration RegistrationOf(const Policy& policy);

// The error code of every pick while no valid configuration has arrived (HTTP 503).
inline constexpr std::string_view kConfigInvalidCode = "scheduler_config_invalid";

// The wire form of a decision: a PickResult, or an error for the envelope.
Result<PickResult> ToPickResult(const Decision& decision);

class SchedulerPlugin : public Plugin {
 public:
  Result<Registration> Register(const LifecycleRequest& request) override;
  Result<PickResult> Pick(const PickRequest& request) override;
  Result<PickResult> PickBody(std::string_view body) override;
  Result<Empty> HandleUsage(const UsageRecord& record) override;
  RawReply HandleOther(std::string_view method, std::string_view body) override;
  void Shutdown() override;
  ~SchedulerPlugin() override;

  // The status page (management_api): a JSON route and an HTML resource (status_routes.hpp).
  // Rendering reads the policy snapshot and the board's atomics; picks never wait for it.
  Result<ManagementRegistration> RegisterManagement(
      const ManagementRegistrationRequest& request) override;
  Result<ManagementResponse> HandleManagement(const ManagementRequest& request) override;

  // What the status page shows (counters since start, configuration history).
  StatusBoard& status() { return status_; }

  // The policy in force (null before the first register; fails closed while no valid
  // configuration has arrived).
  std::shared_ptr<const Policy> policy() const { return policy_.Load(); }
  // "invalid configuration: ..." when the last register/reconfigure was rejected, else "".
  std::string rejection() const;

 private:
  RawReply Explain(std::string_view body) const;
  RawReply SyncState();
  // Logs the metadata watch's report (key names only) at error level, once.
  void WatchMetadata(const Policy& policy, const PickRequest& request) const;
  // Handles a configuration that failed with `problem` (under reconfigure_mutex_).
  Result<Registration> Reject(const std::string& yaml, const std::string& problem,
                              const std::shared_ptr<const Policy>& previous);
  void SetRejection(std::string message);

  PolicySlot policy_;
  std::mutex reconfigure_mutex_;          // serializes writers only; picks never take it
  std::shared_ptr<const Logger> logger_;  // to host.log; made at the first register
  mutable std::mutex rejection_mutex_;
  std::string rejection_;  // guarded by rejection_mutex_
  mutable std::mutex store_mutex_;
  std::shared_ptr<StateStore> store_;  // of the policy in force; guarded by store_mutex_
  StatusBoard status_;
  mutable std::mutex paths_mutex_;  // management calls only
  StatusPaths paths_;               // guarded by paths_mutex_
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_SCHEDULER_PLUGIN_HPP_

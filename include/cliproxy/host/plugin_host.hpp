// cliproxy/host/plugin_host.hpp -- a CLIProxyAPI plugin host: load native plugins and drive them as
// CLIProxyAPI does.
//
// PluginHost keeps a set of plugins, each under an id (the key of `plugins.configs.<id>`,
// `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`), and drives them like CLIProxyAPI's plugin host:
//
// Loading and registration (WIRE.md §1, §3).
//   Load() opens the file (PluginLibrary: RTLD_NOW | RTLD_LOCAL, ABI and table checks) and,
//   if the settings enable it, registers it: `plugin.register` with
//   {"config_yaml":<base64 of settings.config_yaml>,"schema_version":kHostSchemaVersion}.
//   `config_yaml` is sent as given; CLIProxyAPI sends the re-marshalled
//   `plugins.configs.<id>` subtree with `enabled` and `priority` in it, so pass that for
//   byte-faithful runs. Every later registration is sent as `plugin.reconfigure`, even
//   after a failed first one (as CLIProxyAPI does).
//   A registration is accepted only if the call succeeds, the result decodes, its
//   schema_version (0 or missing = 1) is between 0 and kHostSchemaVersion, the trimmed
//   Name, Version, Author and GitHubRepository are non-empty, and at least one capability
//   flag that CLIProxyAPI counts is set (CountsAsCapability). Otherwise the plugin is
//   inactive (still loaded, asked nothing) with the reason in PluginInfo::reason and the
//   log, until a later Reconfigure() succeeds. Like CLIProxyAPI, the host keeps no old
//   registration across a failed reconfigure.
//
// Picks (WIRE.md §4).
//   Exactly one plugin is asked: the first active, unfused plugin with the scheduler
//   capability in the order priority descending, then id ascending. The request is sent
//   as given, with `Plugin` set to the plugin's registered metadata. Its reply becomes a
//   PickOutcome:
//     - an error envelope fails the pick with that error (no fallback, no other plugin);
//     - a result that does not decode as a pick result fails it too ("decode plugin result
//       scheduler.pick: ...", code kErrorInvalidResult), as in CLIProxyAPI;
//     - a protocol failure (ReadReply: non-zero rc without an error envelope, a reply that
//       is not a JSON envelope, an empty reply) fuses the plugin and this pick falls back
//       to the built-in. CLIProxyAPI fuses only on a Go panic and fails the pick on these;
//       for a host that cannot catch a native crash they are the nearest sign of a broken
//       plugin. A fused plugin is skipped until it is unloaded and loaded again, so the
//       next scheduler in order (or the built-in) takes over;
//     - otherwise NormalizePickResult (pick_normalization.hpp) decides: an auth, a delegate to
//       a built-in, unhandled, or invalid (logged with the reason, then unhandled).
//   Unhandled and invalid picks go to the host's configured built-in strategy
//   (HostOptions::routing_strategy), never to a lower-priority plugin. Delegates run the
//   named strategy. Both choose from the pick's own candidate list: that list is this
//   host's pool for the route (CLIProxyAPI uses its own auth state, which the candidates
//   are drawn from). Built-ins share one BuiltinScheduler, so their cursors persist across
//   picks. A built-in that finds no usable candidate fails the pick with kErrorNoAuth.
//
// Usage (WIRE.md §6). DeliverUsage() sends `usage.handle` to every active, unfused plugin
//   that declared usage_plugin. Replies are ignored (as CLIProxyAPI does), except that a
//   protocol failure fuses the plugin.
//
// Callbacks. A plugin's `host.log` {level, message, fields} is recorded in the log
//   (levels trace, debug, info, warn/warning, error; anything else is debug; an empty
//   message becomes "plugin log"; blank field keys are dropped) and answered
//   {"ok":true,"result":{}}. A body that does not decode is answered with a
//   `host_call_failed` error. Every other callback is refused with rc 0 and
//   {"ok":false,"error":{"code":"host_call_failed","message":"unsupported host callback
//   <method>"}}.
//
// Unloading. Unload() removes a plugin at once (no new call reaches it), waits for the
//   calls in flight on it, then the plugin gets `shutdown` and is dlclose()d. When
//   Unload() returns the library is gone, so loading the same file again gives a fresh
//   instance; a fused plugin is cleared this way. The destructor unloads all.
//
// Thread-safety: every method may be called concurrently from any thread, e.g. picks
// racing Reconfigure(). Plugin calls run without host locks held, so picks proceed while
// a plugin is reconfigured, and a plugin may call back into the host from any call.
// Load/Reconfigure/Unload are serialized with one another. The PluginHost must outlive
// every call in flight on it.
#ifndef CLIPROXY_HOST_PLUGIN_HOST_HPP_
#define CLIPROXY_HOST_PLUGIN_HOST_HPP_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/host/builtin_scheduler.hpp"
#include "cliproxy/host/log_entry.hpp"
#include "cliproxy/host/pick_normalization.hpp"
#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/host/status.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::host {

namespace internal {
class LogBook;
}  // namespace internal

// The schema_version this host speaks (CLIProxyAPI v7.3.x); plugins declaring more are
// refused.
inline constexpr int64_t kHostSchemaVersion = 6;

// Error codes the host itself puts into a failed PickOutcome.
inline constexpr std::string_view kErrorNoAuth = "auth_not_found";         // "no auth available"
inline constexpr std::string_view kErrorInvalidResult = "invalid_result";  // result undecodable

// Whether CLIProxyAPI's validPlugin counts the capability flag `flag` (its wire key, see
// json::CapabilityKeys) toward "at least one capability". Every flag counts except
// request_lifecycle_plugin and outbound_header_interceptor, which its list leaves out, and
// frontend_auth_provider_exclusive and scheduler_across_priorities, which only qualify
// another capability. quota_provider counts (a v7.3.x quota plugin registers with it alone).
bool CountsAsCapability(std::string_view flag);

// Whether `capabilities` sets at least one flag that counts.
bool DeclaresCountedCapability(const Capabilities& capabilities);

// How a plugin is configured (one `plugins.configs.<id>` entry).
struct PluginSettings {
  bool enabled = true;      // false: loaded, but neither registered nor asked
  int64_t priority = 0;     // higher is asked first
  std::string config_yaml;  // sent base64-encoded in plugin.register / plugin.reconfigure
};

enum class PluginState {
  kActive,    // registered; asked according to its capabilities
  kInactive,  // its last registration failed (see PluginInfo::reason)
  kDisabled,  // settings.enabled is false
  kFused,     // failed a call outside the envelope protocol; skipped until reloaded
};
std::string_view PluginStateName(PluginState state);

struct PluginInfo {
  std::string id;
  std::string path;
  PluginSettings settings;
  PluginState state = PluginState::kDisabled;
  std::string reason;          // why inactive or fused; empty otherwise
  Registration registration;   // the accepted registration (kActive, kFused)
  int64_t schema_version = 0;  // effective: the registration's, 0 read as 1
};

// How a pick was decided.
enum class PickDecision {
  kPluginAuth,      // the plugin named a candidate
  kPluginDelegate,  // the plugin delegated; `builtin` chose
  kUnhandled,       // Handled:false; the configured built-in chose
  kInvalidReply,    // the result failed normalization (`reason`); the built-in chose
  kFused,           // the call failed outside the protocol (`reason`); plugin fused; built-in
  kNoScheduler,     // no active scheduler plugin; the built-in chose
  kError,           // the plugin's error envelope (or an undecodable result) fails the pick
};
// "plugin-auth", "plugin-delegate", "unhandled", "invalid-reply", "fused", "no-scheduler",
// "error".
std::string_view PickDecisionName(PickDecision decision);

struct PickOutcome {
  PickDecision decision = PickDecision::kNoScheduler;
  std::string plugin_id;                   // the plugin asked; empty for kNoScheduler
  CallReply reply;                         // its raw reply; empty if none was asked
  std::string reason;                      // kInvalidReply / kFused: why
  std::optional<BuiltinStrategy> builtin;  // the built-in that chose, if one did
  std::string auth_id;                     // the chosen auth; empty when the pick failed
  std::optional<PluginError> error;        // why the pick failed (code, message, http_status)

  bool ok() const { return !error.has_value(); }
};

struct HostOptions {
  // The strategy for unhandled, invalid, fused and plugin-less picks (CLIProxyAPI's
  // `routing.strategy`, round-robin by default).
  BuiltinStrategy routing_strategy = BuiltinStrategy::kRoundRobin;
  // Called with every log entry, in order, under the log's lock: it must not call back
  // into the host. Optional.
  std::function<void(const LogEntry&)> log_sink;
  // Logs() keeps the newest entries up to this many.
  size_t log_capacity = 4096;
};

class PluginHost {
 public:
  explicit PluginHost(HostOptions options = {});
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Loads the plugin file at `path` as `id`, then registers it if `settings.enabled`.
  // Returns an error and keeps nothing if the id is invalid or taken, the path is already
  // loaded under another id, or the file cannot be loaded. Returns an error and keeps the
  // plugin loaded but inactive if its registration fails (the message says why).
  Status Load(const std::string& id, const std::string& path, const PluginSettings& settings);

  // Applies new settings to a loaded plugin: re-registers it (`plugin.reconfigure`) when
  // enabled. An error means the id is unknown, the plugin is fused (reload it instead), or
  // the registration failed and the plugin is now inactive.
  Status Reconfigure(const std::string& id, const PluginSettings& settings);

  // Removes a plugin, waits for its calls in flight, then shuts it down and dlclose()s it.
  Status Unload(const std::string& id);

  std::optional<PluginInfo> Info(const std::string& id) const;
  // Every loaded plugin, in the order schedulers are consulted (priority desc, id asc).
  std::vector<PluginInfo> Plugins() const;

  PickOutcome Pick(const PickRequest& request);

  // Whether the scheduler Pick() would ask declared `scheduler_across_priorities`: the
  // caller should then offer the candidates of every priority tier, not only the highest
  // one with an available account (CLIProxyAPI v7.3.7+ does; before, it always offers one).
  bool SchedulerWantsAcrossPriorities() const;

  // Returns the number of plugins the record was sent to.
  size_t DeliverUsage(const UsageRecord& record);

  // Sends `method` with `body` to the loaded plugin `id`, whatever its state, and returns
  // its raw reply; nullopt if no plugin has that id. For methods a tool asks one plugin
  // directly (e.g. the extension `scheduler.explain`): the host reads nothing into the
  // reply (no fuse, no log).
  std::optional<CallReply> Call(const std::string& id, std::string_view method,
                                std::string_view body);

  // The newest log entries, oldest first.
  std::vector<LogEntry> Logs() const;

  // The built-in strategies' state (e.g. to Reset() round-robin cursors).
  BuiltinScheduler& builtin() { return builtin_; }

 private:
  struct Slot;

  struct RegisterResult;
  RegisterResult Register(Slot& slot, const PluginSettings& settings);
  void ApplyRegistration(Slot& slot, const PluginSettings& settings, RegisterResult result);
  std::shared_ptr<Slot> FindScheduler(PluginMetadata* metadata) const;
  void Fuse(Slot& slot, std::string_view method, const std::string& failure);
  void FallBack(BuiltinStrategy strategy, const PickRequest& request, PickOutcome* outcome);
  PickOutcome AskScheduler(Slot& slot, const PickRequest& request, const PluginMetadata& plugin);
  void Log(LogLevel level, std::string plugin_id, std::string message, StringMap fields = {});

  const HostOptions options_;
  std::shared_ptr<internal::LogBook> log_;
  BuiltinScheduler builtin_;

  std::mutex admin_mu_;  // serializes Load / Reconfigure / Unload
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Slot>> plugins_;  // guarded by mu_; id order
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_PLUGIN_HOST_HPP_

// The conformance probes of `cpa-sched check`, in the order they run.
//
//   abi                 dlopen (RTLD_NOW | RTLD_LOCAL), cliproxy_plugin_init returns 0,
//                       abi_version 1, call and free_buffer set (shutdown optional)
//   registration        plugin.register and then plugin.reconfigure with the configuration
//                       each answer a valid registration (check_reply.hpp)
//   config-fields       the registration's ConfigFields have known types, enums have values
//   pick-replies        generated picks (Codex-like; one, none, 100 candidates; null lists;
//                       two priority tiers; mixed providers; request metadata), each sent
//                       three times: every reply valid under WIRE.md §4
//   unknown-method      an unknown method gets an `unknown_method` error with return code 0
//   null-method         a NULL method gets an error envelope
//   malformed-pick      empty, truncated, non-JSON, trailing data and wrongly typed pick
//                       bodies each get an error envelope
//   malformed-register  undecodable lifecycle bodies each get an error envelope
//   concurrency         4 threads pick while another reconfigures, for half a second: no
//                       crash, every reply valid
//   usage               only if the registration declares usage_plugin (skipped otherwise):
//                       usage.handle (WIRE.md §6) answers a realistic UsageRecord ok with
//                       return code 0; records with null maps, lists and structs, a Failed
//                       one, unknown keys and `{}` each with a valid envelope (ok or error);
//                       empty, non-JSON and wrongly typed bodies each with an error envelope;
//                       and, for a scheduler, 2 threads sending records while 2 pick, for
//                       300 ms: every reply valid
//   management          only if the registration declares management_api (skipped
//                       otherwise): management.register and management.handle
//                       (check_management.hpp)
//   shutdown            shutdown (if any) and dlclose after calls do not crash
//
// Each probe runs in a child process that loads the plugin afresh (check_child.hpp), and
// registers it first where the probe needs a registered plugin, as a host would. A probe
// that needs what an earlier one established (a loadable plugin, a registration, the
// scheduler capability) is skipped, with the reason, when that failed; `usage` skips
// itself, in its child, when its own registration does not declare usage_plugin (a
// plugin's capabilities may depend on its configuration, as scheduler.so's do).
//
// Thread-safety: the table is immutable; probes run in child processes.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_PROBES_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_PROBES_HPP_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "check/check_child.hpp"

namespace cpa_sched {

struct CheckTarget {
  std::string plugin;       // the file
  std::string config_yaml;  // sent in plugin.register / plugin.reconfigure
};

// Facts a probe reports for the ones after it.
inline constexpr const char* kFactLoads = "loads";
inline constexpr const char* kFactRegistered = "registered";
inline constexpr const char* kFactScheduler = "scheduler";

struct Probe {
  std::string name;
  // Facts that must be "1"; with the reason to give when one is not.
  std::vector<std::pair<std::string, std::string>> needs;
  std::function<void(const CheckTarget&, ProbeChannel&)> run;  // in the child
};

const std::vector<Probe>& Probes();

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_PROBES_HPP_

// The text report of one pick through the host: the plugin, its raw reply, and what the
// host did with it. One `key: value` line per fact, stable for scripts:
//   plugin:        <id> (<path>), priority <n>, <state>
//   registration:  <Name> <Version> by <Author>, schema <n>, capabilities <list>
//   reply:         rc=<n> <raw bytes>                (absent when no plugin was asked)
//   config:        rejected, not in force: <message> (scheduler.so: its last configuration
//                  was rejected; the one in force, or none, decided)
//   rule:          <what decided in the plugin>      (plugins that answer scheduler.explain:
//                  "auth_id", "routes[0] team-a", ...; "none (...)" when nothing did)
//   note:          <explain and pick disagree>       (rare: see pick_explain.hpp)
//   decision:      plugin-auth | plugin-delegate | unhandled | invalid-reply | fused |
//                  no-scheduler | error
//   normalization: <what the host made of the reply>
//   built-in:      <strategy> -> <auth or "(none)">  (when a built-in chose)
//   auth:          <the chosen auth>                 (when the pick succeeded)
//   error:         <code>: <message> [(http <status>)] (when it failed)
//   log:           <level> <message> [key=value ...]  (each host log entry)
#ifndef CLIPROXY_TOOLS_CPA_SCHED_PICK_REPORT_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_PICK_REPORT_HPP_

#include <ostream>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "pick/pick_explain.hpp"

namespace cpa_sched {

void PrintPlugin(std::ostream& out, const cliproxy::host::PluginInfo& info);
// `explanation`: the plugin's answer to scheduler.explain, if it gave one.
void PrintPickOutcome(std::ostream& out, const cliproxy::host::PickOutcome& outcome,
                      cliproxy::host::BuiltinStrategy routing,
                      const Explanation* explanation = nullptr);
void PrintLogs(std::ostream& out, const std::vector<cliproxy::host::LogEntry>& logs);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_PICK_REPORT_HPP_

// The text report of one pick through the host: the plugin, its raw reply, and what the
// host did with it. One `key: value` line per fact, stable for scripts:
//   plugin:        <id> (<path>), priority <n>, <state>
//   registration:  <Name> <Version> by <Author>, schema <n>, capabilities <list>
//   reply:         rc=<n> <raw bytes>                (absent when no plugin was asked)
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

#include "cliproxy/host.hpp"

namespace cpa_sched {

void PrintPlugin(std::ostream& out, const cliproxy::host::PluginInfo& info);
void PrintPickOutcome(std::ostream& out, const cliproxy::host::PickOutcome& outcome,
                      cliproxy::host::BuiltinStrategy routing);
void PrintLogs(std::ostream& out, const std::vector<cliproxy::host::LogEntry>& logs);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_PICK_REPORT_HPP_

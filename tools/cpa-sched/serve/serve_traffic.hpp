// Recorded traffic that `cpa-sched serve` sends through the host before it serves: one
// scheduler.pick body per line (--picks) and one usage record per line (--usage), JSON with
// Go field names; empty lines and lines starting with '#' are skipped. So a plugin under
// development shows real numbers on its pages.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SERVE_SERVE_TRAFFIC_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SERVE_SERVE_TRAFFIC_HPP_

#include <string>

#include "cliproxy/host/plugin_host.hpp"

namespace cpa_sched {

struct TrafficSent {
  size_t picks = 0;
  size_t failed_picks = 0;  // picks whose outcome was an error
  size_t records = 0;
};

// Sends the picks of `picks_path` and then the records of `usage_path` (either may be
// empty: none). An unreadable file or a line that does not decode is an error naming the
// file and line.
cliproxy::host::Status SendTraffic(cliproxy::host::PluginHost& host, const std::string& picks_path,
                                   const std::string& usage_path, TrafficSent* sent);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SERVE_SERVE_TRAFFIC_HPP_

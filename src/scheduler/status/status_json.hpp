// The status page's JSON document: what the plugin has decided since it started, per route
// and per account, rendered from published state only (atomic counters, the policy
// snapshot in force, lock-free reads of strategy state). Shape (docs/status.md):
//   {"plugin":{...},"config":{...},"counters":{...},"sessions":{...},"timeline":{...},
//    "routes":[{"name","strategy","picks","delegated","passed","errors","error_codes",
//               "last_decision","sessions","session_moves","accounts":[...],...}]}
// Times are Unix milliseconds (`*_ms`). No secret is ever in it: account IDs, route names,
// strategy names and error codes come from the host and the configuration's structure;
// session keys, client keys and header values are never kept.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_JSON_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_JSON_HPP_

#include <cstdint>
#include <string>

#include "scheduler/status/status_board.hpp"

namespace cliproxy::scheduler {

class Policy;

// `policy`: the policy in force (null before any configuration).
std::string RenderStatusJson(const StatusBoard& board, const Policy* policy, int64_t now_ms);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_JSON_HPP_

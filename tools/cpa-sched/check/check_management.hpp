// The `management` probe of `cpa-sched check` (capability management_api, WIRE.md §7), run
// only when the registration declares management_api (skipped otherwise):
//   - management.register, sent as CLIProxyAPI sends it, answers an ok envelope with return
//     code 0 whose result decodes, and every route and resource it lists is one CLIProxyAPI
//     accepts (host/management_router.hpp);
//   - management.handle of a GET to each route and resource answers an ok envelope with
//     return code 0 whose result decodes as a response with a status of 0 or 100-599;
//   - a request to a path the plugin did not register gets a valid envelope;
//   - empty, non-JSON and wrongly typed management.handle bodies each get an error envelope.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHECK_MANAGEMENT_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHECK_MANAGEMENT_HPP_

#include "check/check_probes.hpp"

namespace cpa_sched {

void RunManagementProbe(const CheckTarget& target, ProbeChannel& channel);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_CHECK_MANAGEMENT_HPP_

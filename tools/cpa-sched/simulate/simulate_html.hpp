// The HTML report of a simulation (`cpa-sched simulate --report FILE.html`).
//
// One self-contained file: inline CSS and inline SVG, no script, no external resource, so
// it opens in any browser, offline, and can be attached to a ticket. It holds a stacked
// area chart of picks per account over simulated time (failed picks on top, event windows
// shaded, axes and a legend) and the tables of the text report. Deterministic: the same
// result gives the same bytes (no generation time is written).
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_HTML_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_HTML_HPP_

#include <ostream>

#include "cliproxy/host/plugin_host.hpp"
#include "simulate/simulate_run.hpp"
#include "simulate/simulate_scenario.hpp"

namespace cpa_sched {

void WriteHtmlReport(std::ostream& out, const Scenario& scenario,
                     const cliproxy::host::PluginInfo& plugin, const SimulationResult& result);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_HTML_HPP_

// The text report of a simulation, printed on stdout: a fixed set of sections in a fixed
// order, numbers formatted the same way on every machine, so the same seed gives the same
// bytes and scripts can read it. Shares are of all requests (the `(failed)` row included,
// so a column sums to 100%).
//
//   scenario:  <name> (<file>), seed <n>
//   plugin:    <id> (<path>), priority <n>, <state>
//   registration: <Name> <Version> by <Author>, schema <n>, capabilities <list>
//   traffic:   <n> requests over <time> simulated (<rate>/s), <n> accounts, <n> events;
//              routing.strategy <built-in>
//   events:    one line per event                  (when there are events)
//   accounts:  a table: account, provider, priority, offered, picks, share
//              [, latency ms [, ttft ms], tokens [, failures] when usage is simulated;
//              ttft ms when a TTFT is configured, failures when an account has a
//              fail_rate], then `(failed)`
//   fairness:  Jain's index <x.xxxx> over <n> accounts offered at least once; <x.xxxx> of
//              picks per request offered (availability-adjusted)
//   sessions:  stickiness and moves                (when there are sessions)
//   decisions: one line per kind, then the built-in picks
//   errors:    one line per code and HTTP status, or `errors: none`
//   usage:     records and usage.handle deliveries (when usage is simulated)
//              [; failed records, when an account has a fail_rate or windows]
//   quota:     requests served before the first 429, 429s, capacity unused at resets,
//              then a table of every window: capacity, served, 429s, resets, unused at
//              resets, use at each tenth of the run (when an account has windows)
//   tenants:   one line per tenant                 (when there are tenants)
//   log:       host log messages with their count  (when there are any)
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TEXT_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TEXT_HPP_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "simulate/simulate_run.hpp"
#include "simulate/simulate_scenario.hpp"

namespace cpa_sched {

void PrintSimulation(std::ostream& out, const Scenario& scenario,
                     const cliproxy::host::PluginInfo& plugin, const SimulationResult& result);

// Rows of cells, each column padded to its widest cell; `align` has an 'l' (text) or 'r'
// (numbers) per column. Every line starts with two spaces.
void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                std::string_view align);

// Helpers shared with the HTML report.
std::string Percent(int64_t part, int64_t whole);        // "33.3%"
std::string Plural(int64_t n, const std::string& noun);  // "1 event", "2 events"
std::string Fixed(double value, int digits);             // printf("%.*f")
std::string DecisionName(size_t kind);                   // host::PickDecisionName of the index
std::string ErrorLabel(const ErrorCount& error);         // "code (http 429)"
std::string EventLabel(const Scenario& scenario, const ScenarioEvent& event);
std::string EventKindLabel(const ScenarioEvent& event);   // "cooldown", "slow x4"
std::string MeanLatencyMs(const AccountResult& account);  // "12" (ms), "-" without usage
std::string MeanTtftMs(const AccountResult& account);     // "3" (ms), "-" without a TTFT
// Appends an account's usage cells (latency, TTFT if any, tokens, failures if any) to a row
// of the accounts table, when the scenario has usage.
void AppendUsageCells(const ScenarioUsage& usage, const AccountResult& account,
                      std::vector<std::string>* row);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TEXT_HPP_

// The text report of `cpa-sched simulate --instances N`: the same scenario and seed run
// through the fleet once per store, side by side.
//
//   fleet:     N instances of <id> (<path>; each its own copy), balancer <name>
//   scenario:  <name> (<file>), seed <n>, <n> requests over <time> simulated (<rate>/s)
//   budget:    route <r>: least-used limit <L> <measure> per account (window <w>)
//   redis:     where the Redis server is (never its password), the key prefix
//   exchange:  the model of staleness
//   a table, one column per store: requests served and failed, spent (tokens or requests),
//   over the limit, sessions moved, exchanges; then per account (spent, x limit) and per
//   instance (served/failed)
//   warning:   when some scheduler.state.sync did not complete (Redis unreachable)
//   bound:     the stated overshoot of docs/state.md with this run's numbers, and whether
//              every account of the Redis run stayed within it
//   log:       host log messages of each run with their count (when there are any)
//
// Thread-safety: pure functions of their arguments.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_TEXT_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_TEXT_HPP_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "simulate/simulate_fleet_config.hpp"
#include "simulate/simulate_run.hpp"
#include "simulate/simulate_scenario.hpp"

namespace cpa_sched {

// One run of the fleet with one store.
struct FleetRun {
  std::string store;  // "memory" or "redis"
  SimulationResult result;
  int64_t exchanges = 0;
  int64_t unsynced = 0;  // scheduler.state.sync calls that did not complete
};

struct FleetSetup {
  std::string plugin_id;
  std::string plugin_path;
  int instances = 1;
  Balance balance = Balance::kRoundRobin;
  std::string redis;  // where the server is, printable
  std::string prefix;
  FleetConfig config;
};

// The largest cost of one request in the budget's measure: 1 for requests; for tokens,
// the largest input plus output tokens a request of the scenario can draw.
int64_t LargestRequestCost(const Scenario& scenario, const FleetBudget& budget);

// An account's spending in the budget's measure (tokens, or requests served).
int64_t Spent(const AccountResult& account, const FleetBudget& budget);

// What docs/state.md states an account may reach with the Redis store: limit + (A + N) x C
// with A the most requests the fleet admits within one exchange interval, N instances and
// C the largest request.
int64_t StatedBound(const FleetBudget& budget, int64_t busiest_exchange, int instances,
                    int64_t largest_cost);

void PrintFleetComparison(std::ostream& out, const Scenario& scenario, const FleetSetup& setup,
                          const std::vector<FleetRun>& runs);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_TEXT_HPP_

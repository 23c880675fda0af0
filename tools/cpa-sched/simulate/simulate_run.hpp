// The simulator: runs a scenario's traffic through a PluginHost, in simulated time.
//
// For every request, in arrival order, it builds the scheduler.pick request CLIProxyAPI
// would build:
//   - Provider: the model's one provider, lower-cased, or "" when the model's route mixes
//     providers; Providers: the route's providers; Model; Stream;
//   - Options.Headers: the traffic's headers plus, for a request of a session, each of
//     the session's headers set to the session id (null when there are none);
//   - Options.Metadata: the traffic's metadata, the tenant's caller_scope, and each of the
//     session's metadata keys (e.g. execution_session_id) set to the session id;
//   - Candidates: the accounts of the route's providers that serve the model, are not
//     disabled, and are not taken out by a cooldown or disabled event at that time (a
//     slow event keeps the account offered); of those, only the
//     highest priority tier (CLIProxyAPI v7.2 offers one tier). In scenario order.
// The host asks the plugin and normalizes its reply; its built-ins resolve delegated,
// unhandled and invalid picks. When usage is enabled, each served request completes after
// its account's latency and its UsageRecord is delivered (usage.handle, to plugins that
// declare usage_plugin) before any request that arrives later is picked. The record's
// Latency and TTFT are the account's draws times the factors of the slow events running
// when the request was picked (TTFT capped at Latency); with the account's fail_rate, the
// record is Failed with its fail_status and no tokens. An account with quota windows
// (UpstreamQuota) answers with their rate-limit headers, and with a 429 (retry-after, no
// tokens) when one is spent; it is then not offered until that window resets.
//
// Nothing sleeps. The plugin sees real time (a sticky TTL does not expire within a run);
// the scenario's times only shape the traffic and the events.
//
// Determinism: random streams derived from the seed drive arrivals, traffic (sessions,
// models, tenants, stream) and usage (latency and tokens; TTFT; failures: one draw from
// each per record, whatever the account). None depends on the plugin's answers, so
// two plugins or configurations run with one seed see exactly the same requests, and the
// same seed, plugin and configuration give the same result.
//
// A fleet: Simulate may run the traffic through several hosts, one per proxy instance,
// each with its own plugin. A Balancer (simulate_balancer.hpp) chooses the instance of
// each request, independently of the traffic's random streams; the request's usage
// record goes back to the instance that served it. Every `exchange_ns` of simulated time
// (from exchange_ns on, after the records due by then) `exchange` is called, e.g. to make
// every instance exchange its state with the shared store: the fleet's view of itself is
// then as stale, in simulated time, as the store's interval allows in real time.
//
// Thread-safety: Simulate runs on the calling thread; the hosts may be shared.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RUN_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RUN_HPP_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "simulate/simulate_balancer.hpp"
#include "simulate/simulate_quota.hpp"
#include "simulate/simulate_scenario.hpp"

namespace cpa_sched {

struct AccountResult {
  int64_t picks = 0;
  int64_t offered = 0;  // requests that had it among their candidates
  int64_t usage_records = 0;
  int64_t latency_ns_total = 0;  // of all its records, failed ones included
  int64_t ttft_records = 0;      // records that carry a TTFT (succeeded, with ttft_ms given)
  int64_t ttft_ns_total = 0;
  int64_t tokens_total = 0;
  int64_t failures = 0;               // records with Failed: true
  std::vector<int64_t> bucket_picks;  // picks per time bucket
};

// Stickiness over the requests of sessions that were served.
struct SessionResult {
  int64_t sessions = 0;  // sessions with at least one served request
  int64_t requests = 0;  // served requests that belong to a session
  int64_t kept = 0;      // of those, served by the session's first account
  int64_t moves = 0;     // a request served by another account than the session's previous one
  int64_t forced = 0;    // moves whose previous account was not offered (taken out by an event)
  int64_t returns = 0;   // unforced moves back to the session's first account
};

struct ErrorCount {
  std::string code;
  int http_status = 0;
  std::string message;  // the first one seen
  int64_t count = 0;
};

struct TenantResult {
  int64_t requests = 0;
  int64_t failed = 0;
  std::vector<int64_t> picks;  // per account
};

struct LogCount {
  cliproxy::host::LogLevel level = cliproxy::host::LogLevel::kInfo;
  std::string message;
  int64_t count = 0;
};

// What one proxy instance of a fleet did.
struct InstanceResult {
  int64_t requests = 0;  // the balancer sent it
  int64_t served = 0;
  int64_t failed = 0;
  int64_t usage_records = 0;  // delivered to it
};

inline constexpr size_t kDecisionKinds = 7;  // the values of host::PickDecision

struct SimulationResult {
  uint64_t seed = 0;
  int64_t requests = 0;
  int64_t served = 0;
  int64_t failed = 0;
  int64_t duration_ns = 0;              // arrival of the last request
  int64_t bucket_ns = 1;                // width of a chart bucket
  std::vector<AccountResult> accounts;  // parallel to Scenario::accounts
  std::vector<int64_t> bucket_failed;   // failed picks per time bucket
  // Jain's index over the accounts ever offered: of their picks, and of their picks per
  // request that offered them (fairness given availability: an account out of service
  // for half the run is not penalized for getting half the picks).
  double jain = 0;
  double jain_offered = 0;
  size_t jain_accounts = 0;
  SessionResult sessions;
  std::array<int64_t, kDecisionKinds> decisions{};
  int64_t builtin_round_robin = 0;  // picks a built-in strategy made, by strategy
  int64_t builtin_fill_first = 0;
  std::vector<ErrorCount> errors;     // most frequent first
  int64_t usage_records = 0;          // records the simulated upstream produced
  int64_t usage_failures = 0;         // of those, Failed: true
  int64_t usage_deliveries = 0;       // usage.handle calls the host made (records x plugins)
  std::vector<TenantResult> tenants;  // parallel to ScenarioTraffic::tenants
  std::vector<LogCount> logs;         // host log messages, most frequent first
  QuotaResult quota;                  // when some account has quota windows
  Balance balance = Balance::kRoundRobin;
  std::vector<InstanceResult> instances;  // one per host
  int64_t exchanges = 0;                  // calls of SimulationOptions::exchange
  int64_t busiest_exchange = 0;           // most requests arriving within any exchange_ns (if set)
};

struct SimulationOptions {
  uint64_t seed = 1;
  // Called now and then with (requests done, total), on the simulating thread.
  std::function<void(int64_t, int64_t)> progress;
  // A fleet (several hosts): how requests are spread over them.
  Balance balance = Balance::kRoundRobin;
  // Called every exchange_ns of simulated time, when both are set.
  int64_t exchange_ns = 0;
  std::function<void()> exchange;
};

// Runs the scenario through `host`, whose plugin is loaded and registered.
SimulationResult Simulate(cliproxy::host::PluginHost& host, const Scenario& scenario,
                          const SimulationOptions& options);
// The same through a fleet of hosts (at least one), each with its plugin loaded.
SimulationResult Simulate(const std::vector<cliproxy::host::PluginHost*>& hosts,
                          const Scenario& scenario, const SimulationOptions& options);

// The simulated time of the last request's arrival for this traffic and seed.
int64_t LastArrivalNs(const ScenarioTraffic& traffic, uint64_t seed);

// Jain's fairness index (sum x)^2 / (n * sum x^2): 1 when all n values are equal, 1/n when
// one takes everything. 1 for no values or all zero.
double JainIndex(const std::vector<double>& values);

// Counts host log entries by level and message; give Sink() to HostOptions::log_sink.
class LogCounter {
 public:
  std::function<void(const cliproxy::host::LogEntry&)> Sink();
  // Most frequent first; ties by level then message.
  std::vector<LogCount> Counts() const;

 private:
  std::shared_ptr<std::vector<LogCount>> counts_ = std::make_shared<std::vector<LogCount>>();
};

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_RUN_HPP_

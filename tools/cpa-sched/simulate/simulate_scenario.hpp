// A simulation scenario: the account pool, the traffic, the events that take accounts out
// of service, and the usage the upstream reports. Read from YAML (docs/simulate.md lists
// every key; examples/scenarios/ has examples).
//
// ReadScenario validates everything once: unknown keys, wrong types, out-of-range values
// and references to unknown accounts are errors naming the file, the key path and the
// line/column ("codex.yaml: traffic.models[1].weight: line 14, column 17: must be > 0").
// A Scenario that was read successfully is consistent; the simulator trusts it.
//
// Times are simulated nanoseconds from the start of the run.
//
// Thread-safety: plain values.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_SCENARIO_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_SCENARIO_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/types.hpp"

namespace cpa_sched {

// A quantity drawn uniformly from [mean - jitter, mean + jitter].
struct Spread {
  double mean = 0;
  double jitter = 0;
};

// How the simulated upstream of an account reports its quota windows in response headers:
// by provider, as the real upstreams do (docs/simulate.md#windows).
enum class QuotaHeaders {
  kAnthropicUnified,  // claude: anthropic-ratelimit-unified-{5h,7d}-*
  kCodex,             // codex: x-codex-{primary,secondary}-*
  kOpenAi,            // any other: x-ratelimit-{limit,remaining,reset}-requests
};

// A quota window the simulated upstream enforces on an account, counted in requests: a
// request when the window is spent is refused with a 429. A window starts with the first
// request after its reset and resets `length` later (as Claude and Codex plan windows do).
struct ScenarioWindow {
  std::string name;  // 5h, 7d (claude); primary, secondary (codex); requests (others)
  int64_t length_ns = 0;
  int64_t capacity = 0;      // requests per window
  int64_t used = 0;          // used at the start of the run
  int64_t resets_in_ns = 0;  // when the window running at the start resets
};

struct ScenarioAccount {
  std::string id;
  std::string provider;  // lower-cased, as CLIProxyAPI offers it
  int64_t priority = 0;
  std::string status = "active";
  // As offered to the plugin: secrets stripped, `priority` set when the account has one.
  cliproxy::StringMap attributes;
  std::vector<std::string> models;      // globs of the models it serves; empty: every model
  std::optional<Spread> latency_ms;     // overrides usage.latency_ms
  std::optional<Spread> ttft_ms;        // overrides usage.ttft_ms
  double fail_rate = 0;                 // share of its served requests whose record is Failed
  int64_t fail_status = 500;            // Failure.StatusCode of those records
  std::vector<ScenarioWindow> windows;  // quota windows its upstream enforces
  QuotaHeaders quota_headers = QuotaHeaders::kOpenAi;
};

struct ScenarioModel {
  std::string name;
  double weight = 1;
  std::vector<std::string> providers;  // the route's providers, lower-cased, distinct
  std::optional<Spread> input_tokens;  // override usage.input_tokens for this model
  std::optional<Spread> output_tokens;
};

struct ScenarioTenant {
  std::string name;
  std::optional<std::string> caller_scope;  // absent: the request has no caller_scope
  double share = 1;
};

struct ScenarioSessions {
  int64_t count = 0;                  // concurrent sessions; 0: no request belongs to a session
  double share = 1;                   // of the requests that belong to a session
  double length = 0;                  // mean requests per session; 0: a session lasts the whole run
  std::vector<std::string> headers;   // header names that carry the session id
  std::vector<std::string> metadata;  // metadata keys that carry it
};

enum class ArrivalProcess { kPoisson, kUniform };

struct ScenarioTraffic {
  int64_t requests = 0;
  double rate = 1;  // requests per simulated second
  ArrivalProcess arrival = ArrivalProcess::kPoisson;
  std::vector<ScenarioModel> models;
  double stream = 0;  // share of streaming requests
  ScenarioSessions sessions;
  std::vector<ScenarioTenant> tenants;  // empty: no caller_scope on any request
  cliproxy::HeaderMap headers;          // sent with every request
  cliproxy::AnyMap metadata;            // sent with every request
};

// Cooldown and disabled take the account out of the candidates; slow keeps offering it
// but multiplies its latency and TTFT by `factor`.
enum class EventKind { kCooldown, kDisabled, kSlow };
const char* EventKindName(EventKind kind);

struct ScenarioEvent {
  size_t account = 0;  // index into Scenario::accounts
  EventKind kind = EventKind::kCooldown;
  int64_t at_ns = 0;
  std::optional<int64_t> until_ns;  // absent: for the rest of the run
  double factor = 1;                // kSlow only
};

struct ScenarioUsage {
  // The scenario has a `usage` section, an account with latency_ms, ttft_ms or fail_rate,
  // or a slow event.
  bool enabled = false;
  Spread latency_ms{1000, 0};
  std::optional<Spread> ttft_ms;  // absent (and no account's): records carry no TTFT
  Spread input_tokens{1000, 0};
  Spread output_tokens{200, 0};
  bool any_ttft = false;      // usage.ttft_ms or some account's ttft_ms is given
  bool any_failures = false;  // some account has fail_rate > 0
  bool any_windows = false;   // some account has quota windows
};

struct Scenario {
  std::string path;
  std::string name;
  std::string description;
  uint64_t seed = 1;
  int64_t start_unix_ns = 0;  // wall-clock time of simulated time 0 (RequestedAt)
  cliproxy::host::BuiltinStrategy routing_strategy = cliproxy::host::BuiltinStrategy::kRoundRobin;
  int64_t buckets = 40;  // time buckets of the report's chart
  std::vector<ScenarioAccount> accounts;
  ScenarioTraffic traffic;
  std::vector<ScenarioEvent> events;  // in file order
  ScenarioUsage usage;
};

// Reads and validates the scenario at `path`.
cliproxy::host::Status ReadScenario(const std::string& path, Scenario* out);

// The same, from text (`path` names it in errors).
cliproxy::host::Status ParseScenario(const std::string& text, const std::string& path,
                                     Scenario* out);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_SCENARIO_HPP_

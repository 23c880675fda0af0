// What `cpa-sched simulate --instances N` reads from and writes into the plugin's
// configuration (the YAML the host sends, after plugins.configs.<id> is taken out):
//   - the `state:` key, rewritten for each compared mode with yaml-cpp (comments are not
//     kept; the plugin reads the same keys): `{store: memory}`, or `{store: redis, url,
//     prefix, interval: 10m, secret}` keeping the configuration's `secret` (the
//     configuration's `interval` becomes the simulated exchange interval instead);
//   - the budget: the first `least-used` route with a `usage.limit`;
//   - the exchange interval: `state.interval`, else the Redis store's default 250ms.
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_CONFIG_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_CONFIG_HPP_

#include <cstdint>
#include <optional>
#include <string>

#include "cliproxy/host/status.hpp"

namespace cpa_sched {

// The Redis store's `interval` in a simulated fleet: its longest, so that its thread does
// not exchange on its own during a run.
inline constexpr const char* kStoreIdleInterval = "10m";

struct FleetBudget {
  std::string route;
  std::string measure = "tokens";  // or "requests"
  std::string window;              // as written; "" when absent
  int64_t limit = 0;
};

struct FleetConfig {
  std::string store;        // the configuration's `state.store` ("memory" when absent)
  int64_t interval_ns = 0;  // `state.interval`, else 250ms
  std::optional<FleetBudget> budget;
};

// Reads the configuration. An error when it is not a YAML mapping (or its `state:` is not
// one), or `state.interval` is not a duration.
cliproxy::host::Status ReadFleetConfig(const std::string& yaml, FleetConfig* out);

// The configuration with `state:` replaced: the memory store when `redis_url` is empty,
// else the Redis store at `redis_url` under `prefix`.
cliproxy::host::Status WithStateStore(const std::string& yaml, const std::string& redis_url,
                                      const std::string& prefix, std::string* out);

// `url` without its user and password (redis://host:port/db), safe to print.
std::string RedactRedisUrl(const std::string& url);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_CONFIG_HPP_

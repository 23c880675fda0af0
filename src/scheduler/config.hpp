// Config: the plugin's configuration as the operator wrote it, decoded from the YAML that
// the host sends (the `plugins.configs.scheduler` subtree). Validation of meaning (which
// strategies exist, which globs are valid) happens when a Policy is compiled from it.
#ifndef CLIPROXY_SRC_SCHEDULER_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_CONFIG_HPP_

#include <optional>
#include <string>
#include <string_view>

#include "scheduler/route_config.hpp"
#include "scheduler/store/store_config.hpp"

namespace cliproxy::scheduler {

struct Config {
  // The reference plugin's keys, already trimmed (Go's strings.TrimSpace).
  std::string auth_id;
  std::string delegate;
  bool deny = false;
  // Ask the host for candidates of every priority tier (capability
  // scheduler_across_priorities, CLIProxyAPI v7.3.7+). Off: the host offers only the
  // highest tier that has an available account.
  bool across_priorities = false;
  // The policy engine's ordered routes (empty: the reference behaviour only).
  std::vector<RouteConfig> routes;
  // `no_route:`: what a pick that no rule or route decided gets. Parsed like a last route
  // named "no_route" whose `strategy` holds the `action` (`pass`, the default, or `deny`)
  // and whose `error` is the deny's error; absent: pass (the host's own selector picks).
  std::optional<RouteConfig> no_route;
  // What an invalid configuration does (see SchedulerPlugin): false (the default) keeps
  // the last good configuration in force, or fails every pick closed before there is one;
  // true refuses the configuration, so that the host routes with its built-in strategy.
  bool fail_open = false;
  // `state:`: where learnt state is kept (memory, a file, Redis); store/store_config.hpp.
  StoreConfig state;
  // `status_page:` serve the status page in the host's management panel (capability
  // management_api; docs/status.md). false: the registration declares only what the
  // reference plugin's does.
  bool status_page = true;
};

// The `fail_open` of `yaml` when it is a mapping whose `fail_open` is a valid boolean,
// whatever else is wrong with it; nullopt otherwise (not YAML, not a mapping, no such key,
// or not a boolean). Never throws.
std::optional<bool> ReadFailOpen(const std::string& yaml) noexcept;

// Decodes `yaml` (UTF-8; only the first document counts; empty or null is the default
// config). Unknown keys are ignored. Throws ConfigError with a message that names the key
// path and the line/column of the problem.
Config ParseConfig(const std::string& yaml);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_CONFIG_HPP_

// RouteConfig: one entry of `routes:` as written in the configuration (see the README's
// configuration reference). Compiled into a Route by the policy.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

#include <string>
#include <vector>

namespace cliproxy::scheduler {

class YamlReader;

struct RouteConfig {
  std::string name;
};

// Decodes one `routes[i]` item. Throws ConfigError naming the path.
RouteConfig ParseRouteConfig(const YamlReader& item);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

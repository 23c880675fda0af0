// Helpers for compiling a RouteConfig: errors that name the path and position of the key
// at fault, in the same form as YamlReader's ("routes[2].strategy: line 7, column 15:
// unknown strategy \"stcky\"").
#ifndef CLIPROXY_SRC_SCHEDULER_CONFIG_CHECK_HPP_
#define CLIPROXY_SRC_SCHEDULER_CONFIG_CHECK_HPP_

#include <string>
#include <vector>

#include "base/glob.hpp"
#include "scheduler/route_config.hpp"

namespace cliproxy::scheduler {

// Throws ConfigError("<route path>.<key>: <position>: <what>").
[[noreturn]] void FailAt(const RouteConfig& route, const std::string& key, const std::string& what);

// Compiles `patterns` (the value of `key`), failing at `key` on a bad glob.
GlobList CompileGlobs(const RouteConfig& route, const std::string& key,
                      const std::vector<std::string>& patterns, CaseFold fold = CaseFold::kNone);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_CONFIG_CHECK_HPP_

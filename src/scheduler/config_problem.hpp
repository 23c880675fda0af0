// ConfigProblem: a rejected configuration's message (ConfigError::what()), read back into
// where it points, for the plugin's report to the host log; and the same message with the
// values it quotes left out, for the clients of the proxy.
//
// The messages have one of the shapes ConfigError is thrown with:
//   "<key path>: line L, column C: <what>"       (a key: YamlReader::Fail, FailAt)
//   "config: line L, column C: <what>"           (the document itself)
//   "invalid YAML at line L, column C: <what>"   (the YAML does not parse)
// and anything else (e.g. "config is not valid UTF-8: ..."), which names no position.
#ifndef CLIPROXY_SRC_SCHEDULER_CONFIG_PROBLEM_HPP_
#define CLIPROXY_SRC_SCHEDULER_CONFIG_PROBLEM_HPP_

#include <string>
#include <string_view>

namespace cliproxy::scheduler {

struct ConfigProblem {
  std::string key;  // "routes[2].strategy"; empty for the document or the YAML itself
  int line = 0;     // 1-based; 0 when the message names no position
  int column = 0;
  std::string what;  // the message after the key and position (all of it if neither)
};

ConfigProblem ReadConfigProblem(std::string_view message);

// `message` with every quoted value (`...` or "...") replaced by an ellipsis, so that a
// client told why its request failed is not told what the operator wrote (an account ID,
// a header value to match). Key paths and positions are kept.
std::string WithoutQuotedValues(std::string_view message);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_CONFIG_PROBLEM_HPP_

// Reads for YamlReader::KeyRule that store a key's value in a field, as yaml.v3 decodes
// into a Go struct field: a null leaves an optional scalar unset (a plain string gets ""),
// and a list of strings is always set (null is an empty list).
//
// Thread-safety: the returned functions write `*field`; use them on one thread.
#ifndef CLIPROXY_SRC_SCHEDULER_KEY_RULES_HPP_
#define CLIPROXY_SRC_SCHEDULER_KEY_RULES_HPP_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {

using KeyRead = std::function<void(const YamlReader& value)>;

inline KeyRead Into(std::string* field) {
  return [field](const YamlReader& v) { *field = v.String(); };
}
inline KeyRead Into(std::vector<std::string>* field) {
  return [field](const YamlReader& v) { *field = v.Strings(); };
}
inline KeyRead Into(std::optional<std::vector<std::string>>* field) {
  return [field](const YamlReader& v) { *field = v.Strings(); };
}
inline KeyRead Into(std::optional<std::string>* field) {
  return [field](const YamlReader& v) {
    if (!v.IsNull()) *field = v.String();
  };
}
inline KeyRead Into(std::optional<int64_t>* field) {
  return [field](const YamlReader& v) {
    if (!v.IsNull()) *field = v.Int();
  };
}
inline KeyRead Into(std::optional<double>* field) {
  return [field](const YamlReader& v) {
    if (!v.IsNull()) *field = v.Number();
  };
}
inline KeyRead Into(std::optional<bool>* field) {
  return [field](const YamlReader& v) {
    if (!v.IsNull()) *field = v.Bool();
  };
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_KEY_RULES_HPP_

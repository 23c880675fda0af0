#include "scheduler/config.hpp"

#include "base/yaml_reader.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::scheduler {

Config ParseConfig(const std::string& yaml) {
  Config config;
  if (yaml.empty()) return config;
  // Keys the plugin does not know belong to the host: not even built into a tree.
  auto known = [](const std::string& key) {
    return key == "auth_id" || key == "delegate" || key == "deny" || key == "across_priorities" ||
           key == "routes" || key == "no_route" || key == "fail_open" || key == "state" ||
           key == "status_page" || key == "<<";
  };
  YamlReader root(YamlReader::Load(yaml, known), "");
  if (root.IsNull()) return config;
  if (!root.IsMap())
    root.Fail("the configuration must be a mapping of keys, got " + root.Describe());
  root.ForEach([&](const std::string& key, const YamlReader& value) {
    if (key == "auth_id") {
      config.auth_id = std::string(TrimSpace(value.String()));
    } else if (key == "delegate") {
      config.delegate = std::string(TrimSpace(value.String()));
    } else if (key == "deny") {
      config.deny = value.Bool();
    } else if (key == "across_priorities") {
      config.across_priorities = value.Bool();
    } else if (key == "routes") {
      if (value.IsSequence()) config.routes.reserve(value.node().size());
      value.ForEachItem(
          [&](size_t, const YamlReader& item) { config.routes.push_back(ParseRouteConfig(item)); });
    } else if (key == "no_route") {
      config.no_route = ParseNoRouteConfig(value);
    } else if (key == "fail_open") {
      config.fail_open = value.Bool();
    } else if (key == "state") {
      config.state = ParseStoreConfig(value);
    } else if (key == "status_page") {
      config.status_page = value.Bool();
    }
    // Any other key (enabled, priority, store, ...) belongs to the host: ignored.
  });
  return config;
}

std::optional<bool> ReadFailOpen(const std::string& yaml) noexcept {
  try {
    if (yaml.empty()) return std::nullopt;
    auto known = [](const std::string& key) { return key == "fail_open"; };
    YamlReader root(YamlReader::Load(yaml, known), "");
    if (!root.IsMap()) return std::nullopt;
    // Only this key is read: a typo elsewhere must not hide the operator's choice. A key
    // given twice is not a choice.
    std::optional<bool> fail_open;
    int seen = 0;
    for (const auto& entry : root.node()) {
      if (!entry.first.IsScalar() || entry.first.Scalar() != "fail_open") continue;
      if (++seen > 1) return std::nullopt;
      fail_open = YamlReader(entry.second, "fail_open").Bool();
    }
    return fail_open;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace cliproxy::scheduler

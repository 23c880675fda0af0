#include "plugin_config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace cpa_sched {
namespace {

using cliproxy::host::Status;

bool IsVersion(const std::string& s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<YAML::Node> ParseYaml(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

// Reads `enabled`/`priority` of a mapping into `settings`, leaving defaults where absent or
// not of the right type (the plugin will say what it thinks of them).
void ReadHostKeys(const YAML::Node& entry, cliproxy::host::PluginSettings* settings) {
  if (!entry.IsMap()) return;
  try {
    if (entry["enabled"]) settings->enabled = entry["enabled"].as<bool>();
  } catch (const YAML::Exception&) {
  }
  try {
    if (entry["priority"]) settings->priority = entry["priority"].as<int64_t>();
  } catch (const YAML::Exception&) {
  }
}

}  // namespace

std::string PluginIdFromPath(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  size_t dash = stem.rfind("-v");
  if (dash != std::string::npos && dash > 0 && IsVersion(stem.substr(dash + 2))) {
    return stem.substr(0, dash);
  }
  return stem;
}

Status ReadPluginConfig(const std::string& path, const std::string& id, PluginConfig* out) {
  *out = PluginConfig{};
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read config " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  std::optional<YAML::Node> root = ParseYaml(text);
  YAML::Node configs;
  if (root && root->IsMap() && (*root)["plugins"].IsMap()) configs = (*root)["plugins"]["configs"];
  if (!configs.IsDefined() || configs.IsNull()) {
    out->settings.config_yaml = std::move(text);
    if (root) ReadHostKeys(*root, &out->settings);
    return {};
  }
  if (!configs.IsMap()) return Status::Error(path + ": plugins.configs is not a mapping");
  YAML::Node entry = configs[id];
  if (!entry.IsDefined()) {
    return Status::Error(path + ": no plugins.configs." + id + " (the plugin id is the file name)");
  }
  if (entry.IsNull()) entry = YAML::Node(YAML::NodeType::Map);
  if (!entry.IsMap()) return Status::Error(path + ": plugins.configs." + id + " is not a mapping");

  out->from_cliproxy_config = true;
  out->settings.enabled = false;  // CLIProxyAPI loads a plugin only with `enabled: true`
  ReadHostKeys(entry, &out->settings);
  YAML::Node sent = YAML::Clone(entry);
  if (!sent["enabled"]) sent["enabled"] = false;
  if (!sent["priority"]) sent["priority"] = 0;
  YAML::Emitter emitter;
  emitter << sent;
  out->settings.config_yaml = std::string(emitter.c_str()) + "\n";
  return {};
}

void AddPluginArguments(CLI::App* app, std::string* plugin, std::string* config) {
  app->add_option("plugin", *plugin, "the plugin file (.so); its id is the file name")->required();
  app->add_option("--config", *config,
                  "YAML: a CLIProxyAPI config (plugins.configs.<id> is used) or the plugin's "
                  "own configuration (sent as is); none: an empty configuration");
}

}  // namespace cpa_sched

// How cpa-sched finds a plugin's id and configuration, the way CLIProxyAPI does.
//
// The id is the file name without extension, without a `-v<version>` suffix
// (`scheduler-v1.2.0.so` -> `scheduler`), as CLIProxyAPI names plugins in its directory.
//
// A configuration file is either
//   - a CLIProxyAPI config (it has `plugins.configs`): the `plugins.configs.<id>` entry is
//     taken, `enabled` and `priority` are inserted when missing (enabled false, priority 0;
//     absent `enabled` means CLIProxyAPI would not load the plugin), and the entry is
//     re-emitted as YAML, as CLIProxyAPI re-marshals it; or
//   - anything else: the plugin's own configuration, sent byte for byte (so a plugin author
//     sees exactly the bytes they wrote). Its `enabled` (default true) and `priority`
//     (default 0) are read when the file parses as a YAML mapping.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_PLUGIN_CONFIG_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_PLUGIN_CONFIG_HPP_

#include <CLI/CLI.hpp>

#include <string>

#include "cliproxy/host/plugin_host.hpp"

namespace cpa_sched {

std::string PluginIdFromPath(const std::string& path);

struct PluginConfig {
  cliproxy::host::PluginSettings settings;
  bool from_cliproxy_config = false;  // taken from plugins.configs.<id>
};

// Reads `path` for plugin `id`. An empty path is an empty plugin configuration.
cliproxy::host::Status ReadPluginConfig(const std::string& path, const std::string& id,
                                        PluginConfig* out);

// Adds the arguments every command takes: the plugin file (required) and --config.
void AddPluginArguments(CLI::App* app, std::string* plugin, std::string* config);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_PLUGIN_CONFIG_HPP_

// The --config of `cpa-sched check`, `bench` and `pick`: ReadPluginConfig
// (plugin_config.hpp), after making sure the file is YAML at all, so that a typo is
// reported as "<file>:<line>:<column>: <what>" before any plugin sees the bytes.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_CONFIG_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_CONFIG_HPP_

#include <string>

#include "cliproxy/host/status.hpp"
#include "plugin_config.hpp"

namespace cpa_sched {

// Reads `path` (empty: an empty configuration) for plugin `id`.
cliproxy::host::Status ReadCommandConfig(const std::string& path, const std::string& id,
                                         PluginConfig* out);

// An error naming `path` when the plugin file cannot be read (it does not exist, is a
// directory, or is not readable); success otherwise.
cliproxy::host::Status CheckPluginFile(const std::string& path);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_CONFIG_HPP_

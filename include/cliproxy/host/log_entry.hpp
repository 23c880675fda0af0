// cliproxy/host/log_entry.hpp -- the entries of a plugin host's log.
//
// The host records its own events (a refused registration, an invalid pick result, a
// fuse, a rejected pick) and every `host.log` a plugin sends. The host's own messages
// carry the plugin id in `plugin_id` and in the field "plugin_id", and use CLIProxyAPI's
// wording ("pluginhost: scheduler returned invalid response: unknown auth id").
//
// Thread-safety: plain values.
#ifndef CLIPROXY_HOST_LOG_ENTRY_HPP_
#define CLIPROXY_HOST_LOG_ENTRY_HPP_

#include <string>
#include <string_view>

#include "cliproxy/types.hpp"

namespace cliproxy::host {

// The levels and their names are the SDK's (cliproxy/types.hpp): one map for both ends.
using cliproxy::LogLevel;
using cliproxy::LogLevelName;

struct LogEntry {
  LogLevel level = LogLevel::kInfo;
  bool from_plugin = false;  // true: the plugin's host.log; false: the host's own
  std::string plugin_id;
  std::string message;
  // Field values: strings as sent, any other JSON value as the compact JSON text Go writes
  // back for it (numbers as float64, object keys sorted).
  StringMap fields;
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_LOG_ENTRY_HPP_

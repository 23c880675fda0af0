// The plugin as the conformance checker sees it: the bare C ABI, with nothing between the
// probe and the plugin.
//
// Unlike PluginLibrary (which refuses a bad plugin with one message), Open() records what
// it found at every step of the handshake (dlopen with RTLD_NOW | RTLD_LOCAL, the init
// symbol, init's return code, the ABI version, each function pointer), so the checker can
// say exactly what is wrong. Call() sends any method, including a NULL one, and any body
// (an empty one as NULL with length 0), as CLIProxyAPI does. The plugin's callbacks are
// answered like CLIProxyAPI's host answers them: host.log succeeds, anything else is
// refused with `host_call_failed`.
//
// Only ever used inside a probe's child process: a crash here ends the child, not the
// checker. Thread-safety: Call() may run on many threads at once (the plugin must cope);
// Shutdown() and Close() must not race it.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CHECK_PLUGIN_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CHECK_PLUGIN_HPP_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cliproxy/abi.h"
#include "cliproxy/host/plugin_library.hpp"

namespace cpa_sched {

// What the handshake found.
struct AbiFacts {
  bool loaded = false;       // dlopen succeeded
  bool has_init = false;     // cliproxy_plugin_init resolved
  int init_rc = 0;           // its return code
  uint32_t abi_version = 0;  // as the plugin set it
  bool has_call = false;
  bool has_free = false;
  bool has_shutdown = false;
  std::string failure;  // empty when the plugin is usable
};

class CheckedPlugin {
 public:
  // Loads `path` and runs the handshake. On success `*out` is set; `facts` is always filled.
  static void Open(const std::string& path, AbiFacts* facts, std::unique_ptr<CheckedPlugin>* out);

  ~CheckedPlugin();  // does not dlclose (see Close)
  CheckedPlugin(const CheckedPlugin&) = delete;
  CheckedPlugin& operator=(const CheckedPlugin&) = delete;

  cliproxy::host::CallReply Call(const char* method, std::string_view body) const;
  // Calls `shutdown` if the plugin has one.
  void Shutdown();
  // dlclose()s the library; no call may follow.
  void Close();

 private:
  CheckedPlugin() = default;
  void* handle_ = nullptr;
  cliproxy_host_api host_{};
  cliproxy_plugin_api api_{};
};

// The lifecycle request body for a configuration (base64 config_yaml, the host's schema).
std::string LifecycleBody(const std::string& config_yaml);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CHECK_PLUGIN_HPP_

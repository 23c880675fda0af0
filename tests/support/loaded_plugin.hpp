// Test support: a plugin file opened as CLIProxyAPI opens it (dlopen RTLD_NOW | RTLD_LOCAL,
// cliproxy_plugin_init, calls through the function table), without the host library, so
// that tests see exactly what the plugin returns.
//
// Thread-safety: Call may be used from many threads at once, like the host does.
#ifndef CLIPROXY_TESTS_SUPPORT_LOADED_PLUGIN_HPP_
#define CLIPROXY_TESTS_SUPPORT_LOADED_PLUGIN_HPP_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "cliproxy/abi.h"

namespace cliproxy::test_support {

struct PluginReply {
  int rc = -1;  // -1: nothing was called (the plugin did not load)
  std::string body;
};

class LoadedPlugin {
 public:
  // What the destructor does before dlclose(): call the plugin's `shutdown` (a later load
  // gets a fresh instance), or leave the instance for the next load of the same file to
  // adopt (a plugin linked with -z nodelete keeps it).
  enum class OnClose { kShutdown, kKeepInstance };

  // Opens `path` and calls cliproxy_plugin_init with `host` (may be null). A file that
  // does not open or lacks the init symbol is a test failure (ADD_FAILURE).
  LoadedPlugin(const std::string& path, const cliproxy_host_api* host,
               OnClose on_close = OnClose::kShutdown);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  // Calls `method` (may be null) with `body`; nullopt sends (NULL, 0).
  PluginReply Call(const char* method, std::optional<std::string_view> body) const;
  // Calls with exactly these request bytes (`request` may be non-null with length 0). The
  // response buffer starts as garbage: the plugin must overwrite it.
  PluginReply CallRaw(const char* method, const void* request, size_t length) const;

  const cliproxy_plugin_api& api() const { return api_; }
  int init_result() const { return init_result_; }  // -1 if init was never called

 private:
  void* handle_ = nullptr;
  cliproxy_plugin_api api_{};
  int init_result_ = -1;
  OnClose on_close_;
};

// Whether the dynamic loader still has the file at `path` mapped.
bool IsMapped(const std::string& path);

}  // namespace cliproxy::test_support

#endif  // CLIPROXY_TESTS_SUPPORT_LOADED_PLUGIN_HPP_

// cliproxy/host/plugin_library.hpp -- one CLIProxyAPI native plugin loaded into this process.
//
// A PluginLibrary owns one dlopen() handle and the function table its plugin filled in.
// Open() does what CLIProxyAPI's loader does (WIRE.md §1): dlopen() with
// RTLD_NOW | RTLD_LOCAL, resolve `cliproxy_plugin_init`, call it once with this library's
// host table, and refuse the plugin unless it reports ABI version 1 with `call` and
// `free_buffer` set (`shutdown` is optional). Every failure message names the file.
//
// Call() is one ABI call: method and body in, return code and a copy of the reply bytes
// out. The plugin's reply buffer is always released with the plugin's own free_buffer.
// Callbacks from the plugin into the host (`host.log`, ...) go to the HostCallHandler given
// to Open(); its reply is handed to the plugin in a malloc'd buffer that the host table's
// free_buffer releases. A callback with a null method gets return code 1 and no body.
//
// Unloading: Shutdown() calls the plugin's `shutdown` once (if it has one); afterwards
// Call() answers rc 1 with a `plugin_closed` error envelope without entering the plugin.
// The destructor runs Shutdown() if it has not run, then dlclose()s the library.
//
// The dynamic loader keeps one instance per file: opening the same path twice gives two
// PluginLibrary objects over one plugin (one set of globals, one `shutdown`). Open each
// file once (PluginHost refuses a second id for a path it has loaded).
//
// Thread-safety: Call() may run concurrently on any number of threads (the ABI requires
// plugins to be thread-safe). Shutdown() and the destructor must not race Call(): the owner
// guarantees that no call is in flight (PluginHost shares the library between in-flight
// calls with a shared_ptr, so the last one out unloads it). The handler may be invoked
// concurrently, from the plugin's threads, and already during Open() (a plugin may log
// from its init); it must not throw.
#ifndef CLIPROXY_HOST_PLUGIN_LIBRARY_HPP_
#define CLIPROXY_HOST_PLUGIN_LIBRARY_HPP_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cliproxy/abi.h"
#include "cliproxy/host/status.hpp"

namespace cliproxy::host {

namespace internal {
struct HostTable;  // the host table handed to the plugin and the handler behind it
}  // namespace internal

// The raw result of one call across the ABI, in either direction.
struct CallReply {
  int rc = 0;
  std::string body;
  bool operator==(const CallReply&) const = default;
};

// Answers one callback from a plugin (method, request body) -> reply.
using HostCallHandler = std::function<CallReply(std::string_view method, std::string_view body)>;

class PluginLibrary {
 public:
  // Loads the plugin at `path` (a path without a slash is taken relative to the working
  // directory, never searched for in the library path). On success stores it in `*out`; on failure
  // leaves `*out` untouched and returns a message naming `path` (nothing stays loaded).
  static Status Open(const std::string& path, HostCallHandler handler,
                     std::unique_ptr<PluginLibrary>* out);

  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  // One call. `body` may be empty (sent as NULL with length 0).
  CallReply Call(std::string_view method, std::string_view body) const;

  // Calls the plugin's `shutdown` once. Idempotent.
  void Shutdown();

  const std::string& path() const { return path_; }
  // Whether the plugin filled in the optional `shutdown`.
  bool has_shutdown() const { return api_.shutdown != nullptr; }

 private:
  PluginLibrary(std::string path, void* handle, std::unique_ptr<internal::HostTable> table);

  std::string path_;
  void* handle_ = nullptr;
  std::unique_ptr<internal::HostTable> table_;  // stable address: plugins may keep it
  cliproxy_plugin_api api_{};
  bool shut_down_ = false;
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_PLUGIN_LIBRARY_HPP_

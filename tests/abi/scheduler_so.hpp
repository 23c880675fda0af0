// Test support for the ABI tests: the built scheduler.so opened as CLIProxyAPI opens it
// (dlopen RTLD_NOW | RTLD_LOCAL, cliproxy_plugin_init, calls through the function table),
// and independent checks of what comes back.
#ifndef CLIPROXY_TESTS_ABI_SCHEDULER_SO_HPP_
#define CLIPROXY_TESTS_ABI_SCHEDULER_SO_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/abi.h"
#include "support/loaded_plugin.hpp"

namespace cliproxy::abi_test {

using Reply = test_support::PluginReply;

// One loaded and initialized scheduler.so, with a host whose callbacks all fail. The
// plugin instance lives from construction to destruction (shutdown, then dlclose), so
// every object starts from a fresh plugin.
// Thread-safety: Call may be used from many threads at once, like the host does.
class SchedulerSo {
 public:
  SchedulerSo();

  // Calls `method` (may be null) with `body`; nullopt sends (NULL, 0).
  Reply Call(const char* method, std::optional<std::string_view> body) const {
    return plugin_.Call(method, body);
  }
  // Calls with exactly these request bytes (`request` may be non-null with length 0).
  Reply CallRaw(const char* method, const void* request, size_t length) const {
    return plugin_.CallRaw(method, request, length);
  }

  Reply Pick(std::string_view body) const { return Call("scheduler.pick", body); }
  Reply Register(std::string_view body) const { return Call("plugin.register", body); }
  Reply Reconfigure(std::string_view body) const { return Call("plugin.reconfigure", body); }

  const cliproxy_plugin_api& api() const { return plugin_.api(); }
  int init_result() const { return plugin_.init_result(); }

 private:
  test_support::LoadedPlugin plugin_;
};

// What a reply envelope says, read with RapidJSON (not with the SDK under test).
struct Envelope {
  bool valid = false;  // a JSON object with exactly the envelope's keys and types
  std::string problem;
  bool ok = false;
  std::string result;  // compact JSON of `result`
  std::string code;
  std::string message;
};
Envelope ReadEnvelope(std::string_view body);

// {"config_yaml":"<standard base64 of yaml>","schema_version":3}
std::string LifecycleBody(std::string_view yaml);
std::string Base64(std::string_view bytes);
// {"Candidates":[{"ID":"<id>"},...]} with each ID JSON-escaped.
std::string PickBody(const std::vector<std::string>& ids);

// The exact reply bytes of an unhandled pick, a pick of `id`, a delegation, and a deny.
std::string UnhandledReply();
std::string AuthReply(std::string_view id);
std::string DelegateReply(std::string_view strategy);
std::string DeniedReply();

}  // namespace cliproxy::abi_test

#endif  // CLIPROXY_TESTS_ABI_SCHEDULER_SO_HPP_

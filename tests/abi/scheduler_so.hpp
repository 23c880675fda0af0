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

namespace cliproxy::abi_test {

struct Reply {
  int rc = -1;
  std::string body;
};

// One loaded and initialized scheduler.so. The plugin instance lives from construction
// to destruction (shutdown, then dlclose), so every object starts from a fresh plugin.
// Thread-safety: Call may be used from many threads at once, like the host does.
class SchedulerSo {
 public:
  SchedulerSo();
  ~SchedulerSo();
  SchedulerSo(const SchedulerSo&) = delete;
  SchedulerSo& operator=(const SchedulerSo&) = delete;

  // Calls `method` (may be null) with `body`; nullopt sends (NULL, 0).
  Reply Call(const char* method, std::optional<std::string_view> body) const;
  // Calls with exactly these request bytes (`request` may be non-null with length 0).
  Reply CallRaw(const char* method, const void* request, size_t length) const;

  Reply Pick(std::string_view body) const { return Call("scheduler.pick", body); }
  Reply Register(std::string_view body) const { return Call("plugin.register", body); }
  Reply Reconfigure(std::string_view body) const { return Call("plugin.reconfigure", body); }

  const cliproxy_plugin_api& api() const { return api_; }
  int init_result() const { return init_result_; }

 private:
  void* handle_ = nullptr;
  cliproxy_plugin_api api_{};
  int init_result_ = -1;
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

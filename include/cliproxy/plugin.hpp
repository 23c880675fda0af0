// cliproxy/plugin.hpp -- write a CLIProxyAPI native plugin as one C++ class.
//
// Example: a scheduler plugin that picks the first candidate (a build step compiles these
// lines as they stand; examples/sdk-plugin/ is a complete plugin built against the
// installed SDK).
// clang-format off
//   #include "cliproxy/plugin.hpp"
//
//   class PickFirst : public cliproxy::Plugin {
//    public:
//     cliproxy::Result<cliproxy::Registration> Register(const cliproxy::LifecycleRequest&) override {
//       cliproxy::Registration r;
//       r.metadata.name = "pick-first";
//       r.metadata.version = "1.0.0";
//       r.metadata.author = "me";
//       r.metadata.github_repository = "https://github.com/me/pick-first";
//       r.capabilities.scheduler = true;
//       return r;
//     }
//     cliproxy::Result<cliproxy::PickResult> Pick(const cliproxy::PickRequest& request) override {
//       cliproxy::PickResult result;  // Handled false: the host's built-in strategy picks
//       if (!request.candidates.empty()) {
//         result.auth_id = request.candidates.front().id;
//         result.handled = true;
//       }
//       return result;
//     }
//   };
//   CLIPROXY_PLUGIN(PickFirst)
// clang-format on
// (End of example.)
//
// The framework owns everything between the C ABI and the typed handlers: dispatch on the
// method name, decoding requests with Go's JSON rules, envelopes, reply buffers (malloc'd,
// released by the exported free_buffer), and the boundary itself: no exception escapes a
// call; one that reaches the boundary becomes an `internal_error` envelope.
//
// Methods and their replies:
//   plugin.register, plugin.reconfigure -> Register()/Reconfigure(); the registration
//   scheduler.pick                      -> Pick(); a PickResult
//   usage.handle                        -> HandleUsage(); {} -- once the plugin's last
//                                          successful registration declared usage_plugin
//                                          (until then it is "any other method", as the
//                                          host never sends it to a plugin without it)
//   management.register                 -> RegisterManagement(); the routes and resources
//   management.handle                   -> HandleManagement(); the response -- both once
//                                          the last successful registration declared
//                                          management_api (as usage.handle)
//   anything else                       -> HandleOther(), by default `unknown_method`
//   a NULL method                       -> `invalid_method`, return code 1
// A body that cannot be decoded gets `invalid_request` (return code 1) without reaching
// the handler. A handler's error is sent as an error envelope with return code 0.
//
// Thread-safety: handlers are called concurrently from many threads (a reconfigure races
// picks); a Plugin subclass must make its handlers thread-safe.
#ifndef CLIPROXY_PLUGIN_HPP_
#define CLIPROXY_PLUGIN_HPP_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "cliproxy/abi.h"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy {

// The error codes of the protocol that the framework itself uses.
namespace codes {
inline constexpr std::string_view kUnknownMethod = "unknown_method";
inline constexpr std::string_view kInvalidMethod = "invalid_method";
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kInvalidConfig = "invalid_config";
inline constexpr std::string_view kInternalError = "internal_error";
}  // namespace codes

// A value or a PluginError. The return code of the call is chosen by `fatal`: errors that
// mean "the request could not be served at all" (bad input) return 1, as the reference
// plugin does; a decided refusal (a deny) returns 0.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(PluginError error, bool fatal = false) : state_(std::move(error)), fatal_(fatal) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const PluginError& error() const { return std::get<PluginError>(state_); }
  bool fatal() const { return fatal_; }

 private:
  std::variant<T, PluginError> state_;
  bool fatal_ = false;
};

struct Empty {};

// A reply already encoded: the framework sends `body` as it is, with `code`.
struct RawReply {
  int code = 0;
  std::string body;
};

// Log levels of the host's `host.log` callback: cliproxy::LogLevel (types.hpp).

// Callbacks into the host. Thread-safe; every call is best effort (a host without
// callbacks, or one that refuses, is not an error for the plugin).
class HostApi {
 public:
  explicit HostApi(const cliproxy_host_api* api = nullptr);
  bool available() const { return call_ != nullptr; }
  // Sends `host.log` {level, message[, fields]}. Returns true only if the host answered
  // with return code 0 and an `ok:true` envelope; false if it refused, answered something
  // else, or has no callbacks.
  bool Log(LogLevel level, std::string_view message) const;
  bool Log(LogLevel level, std::string_view message, const StringMap& fields) const;
  // Sends any callback; returns the return code and the reply bytes.
  RawReply Call(const char* method, std::string_view body) const;

 private:
  void* ctx_ = nullptr;
  cliproxy_host_call_fn call_ = nullptr;
  cliproxy_host_free_fn free_ = nullptr;
};

class Plugin {
 public:
  virtual ~Plugin() = default;

  // The host API, valid from construction to destruction.
  void AttachHost(HostApi host) { host_ = host; }
  const HostApi& host() const { return host_; }

  virtual Result<Registration> Register(const LifecycleRequest& request) = 0;
  virtual Result<Registration> Reconfigure(const LifecycleRequest& request) {
    return Register(request);
  }
  virtual Result<PickResult> Pick(const PickRequest& request);
  virtual Result<Empty> HandleUsage(const UsageRecord& record);
  // management_api: the routes and resources the plugin serves, and one request to them.
  // Defaults: `unknown_method` errors.
  virtual Result<ManagementRegistration> RegisterManagement(
      const ManagementRegistrationRequest& request);
  virtual Result<ManagementResponse> HandleManagement(const ManagementRequest& request);
  // Any other method. Default: an `unknown_method` error envelope with return code 0.
  virtual RawReply HandleOther(std::string_view method, std::string_view body);
  // Serves one scheduler.pick body. The default decodes every part of the request and
  // calls Pick(). A plugin that reads only some parts, chosen by a configuration snapshot,
  // overrides this to decode with that snapshot's fields (DecodePick) and decide with the
  // same snapshot, so a reconfigure between the two steps cannot split them.
  virtual Result<PickResult> PickBody(std::string_view body);
  // Called once, before the library is unloaded.
  virtual void Shutdown() {}

  // Whether usage.handle reaches HandleUsage(): the usage_plugin capability of the last
  // registration this plugin answered successfully (the framework keeps it up to date).
  bool serves_usage() const { return serves_usage_.load(std::memory_order_acquire); }
  void set_serves_usage(bool serves) { serves_usage_.store(serves, std::memory_order_release); }
  // The same for management.register / management.handle and management_api.
  bool serves_management() const { return serves_management_.load(std::memory_order_acquire); }
  void set_serves_management(bool serves) {
    serves_management_.store(serves, std::memory_order_release);
  }

 private:
  HostApi host_;
  std::atomic<bool> serves_usage_{false};
  std::atomic<bool> serves_management_{false};
};

// Decodes a scheduler.pick body, storing only the `fields` wanted. A body that cannot be
// decoded gives an `invalid_request` error (return code 1).
Result<PickRequest> DecodePick(std::string_view body, const json::PickFields& fields);
// The same into `*out`, which holds the zero value (a reused request: its containers may
// keep their capacity). After an error, `*out` may hold part of the body.
Result<Empty> DecodePickInto(std::string_view body, const json::PickFields& fields,
                             PickRequest* out);

// The dispatcher behind the export macro: turns one ABI call into a reply. Exposed so that
// tests can drive a Plugin without loading a shared object. Never throws.
RawReply Dispatch(Plugin* plugin, const char* method, std::string_view body) noexcept;

namespace internal {
using PluginFactory = std::unique_ptr<Plugin> (*)();
int InitPlugin(PluginFactory factory, const cliproxy_host_api* host,
               cliproxy_plugin_api* api) noexcept;
}  // namespace internal

}  // namespace cliproxy

// Exports `cliproxy_plugin_init` for `PluginClass` (default-constructible). Use it once,
// in one translation unit of the plugin.
#define CLIPROXY_PLUGIN(PluginClass)                                                             \
  extern "C" __attribute__((visibility("default"))) int cliproxy_plugin_init(                    \
      const cliproxy_host_api* host, cliproxy_plugin_api* api) {                                 \
    return ::cliproxy::internal::InitPlugin(                                                     \
        []() -> std::unique_ptr<::cliproxy::Plugin> { return std::make_unique<PluginClass>(); }, \
        host, api);                                                                              \
  }

#endif  // CLIPROXY_PLUGIN_HPP_

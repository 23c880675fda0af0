// The plugin framework: the ABI entry points, method dispatch, envelopes and buffers.
#include "cliproxy/plugin.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

namespace cliproxy {
namespace {

constexpr std::string_view kRegister = "plugin.register";
constexpr std::string_view kReconfigure = "plugin.reconfigure";
constexpr std::string_view kPick = "scheduler.pick";
constexpr std::string_view kUsage = "usage.handle";
constexpr std::string_view kManagementRegister = "management.register";
constexpr std::string_view kManagementHandle = "management.handle";

PluginError MakeError(std::string_view code, std::string message) {
  PluginError e;
  e.code = std::string(code);
  e.message = std::move(message);
  return e;
}

RawReply ErrorReply(int rc, std::string_view code, std::string message) {
  return {rc, json::ErrorEnvelope(MakeError(code, std::move(message)))};
}

template <class T, class Encode>
RawReply ReplyFrom(const Result<T>& result, Encode encode) {
  if (!result.ok()) return {result.fatal() ? 1 : 0, json::ErrorEnvelope(result.error())};
  return {0, json::OkEnvelope(encode(result.value()))};
}

RawReply DispatchLifecycle(Plugin* plugin, bool reconfigure, std::string_view body) {
  LifecycleRequest request;
  if (json::DecodeStatus s = json::DecodeLifecycleRequest(body, &request); !s) {
    // A bad config_yaml is a bad configuration; anything else is a bad request.
    bool config = s.message.rfind("config_yaml", 0) == 0;
    return ErrorReply(1, config ? codes::kInvalidConfig : codes::kInvalidRequest,
                      std::string(reconfigure ? kReconfigure : kRegister) + ": " + s.message);
  }
  auto result = reconfigure ? plugin->Reconfigure(request) : plugin->Register(request);
  if (result.ok()) {
    plugin->set_serves_usage(result.value().capabilities.usage_plugin);
    plugin->set_serves_management(result.value().capabilities.management_api);
  }
  return ReplyFrom(result, [](const Registration& r) { return json::EncodeRegistration(r); });
}

RawReply DispatchPick(Plugin* plugin, std::string_view body) {
  return ReplyFrom(plugin->PickBody(body),
                   [](const PickResult& r) { return json::EncodePickResult(r); });
}

RawReply DispatchUsage(Plugin* plugin, std::string_view body) {
  UsageRecord record;
  if (json::DecodeStatus s = json::DecodeUsageRecord(body, &record); !s) {
    return ErrorReply(1, codes::kInvalidRequest, "usage.handle: " + s.message);
  }
  return ReplyFrom(plugin->HandleUsage(record), [](const Empty&) { return std::string("{}"); });
}

RawReply DispatchManagementRegister(Plugin* plugin, std::string_view body) {
  ManagementRegistrationRequest request;
  if (json::DecodeStatus s = json::DecodeManagementRegistrationRequest(body, &request); !s) {
    return ErrorReply(1, codes::kInvalidRequest,
                      std::string(kManagementRegister) + ": " + s.message);
  }
  return ReplyFrom(plugin->RegisterManagement(request), [](const ManagementRegistration& r) {
    return json::EncodeManagementRegistration(r);
  });
}

RawReply DispatchManagementHandle(Plugin* plugin, std::string_view body) {
  ManagementRequest request;
  if (json::DecodeStatus s = json::DecodeManagementRequest(body, &request); !s) {
    return ErrorReply(1, codes::kInvalidRequest, std::string(kManagementHandle) + ": " + s.message);
  }
  return ReplyFrom(plugin->HandleManagement(request),
                   [](const ManagementResponse& r) { return json::EncodeManagementResponse(r); });
}

// --- the one plugin instance of this shared object ---------------------------------------

std::atomic<Plugin*> g_plugin{nullptr};

int StoreReply(RawReply reply, cliproxy_buffer* response) {
  if (response == nullptr) return reply.code;
  response->ptr = nullptr;
  response->len = 0;
  if (reply.body.empty()) return reply.code;
  void* mem = std::malloc(reply.body.size());
  if (mem == nullptr) return 1;
  std::memcpy(mem, reply.body.data(), reply.body.size());
  response->ptr = mem;
  response->len = reply.body.size();
  return reply.code;
}

int AbiCall(const char* method, const uint8_t* request, size_t request_len,
            cliproxy_buffer* response) {
  if (response != nullptr) {
    response->ptr = nullptr;
    response->len = 0;
  }
  Plugin* plugin = g_plugin.load(std::memory_order_acquire);
  std::string_view body;
  if (request != nullptr)
    body = std::string_view(reinterpret_cast<const char*>(request), request_len);
  if (plugin == nullptr) {
    return StoreReply(ErrorReply(1, codes::kInternalError, "plugin is not initialized"), response);
  }
  return StoreReply(Dispatch(plugin, method, body), response);
}

void AbiFree(void* ptr, size_t) { std::free(ptr); }

void AbiShutdown() {
  Plugin* plugin = g_plugin.exchange(nullptr, std::memory_order_acq_rel);
  if (plugin == nullptr) return;
  try {
    plugin->Shutdown();
  } catch (...) {
  }
  delete plugin;
}

}  // namespace

HostApi::HostApi(const cliproxy_host_api* api) {
  if (api != nullptr && api->abi_version == CLIPROXY_ABI_VERSION) {
    ctx_ = api->host_ctx;
    call_ = api->call;
    free_ = api->free_buffer;
  }
}

RawReply HostApi::Call(const char* method, std::string_view body) const {
  if (call_ == nullptr) return {-1, {}};
  cliproxy_buffer response{nullptr, 0};
  int rc =
      call_(ctx_, method, reinterpret_cast<const uint8_t*>(body.data()), body.size(), &response);
  RawReply reply{rc, {}};
  if (response.ptr != nullptr) {
    reply.body.assign(static_cast<const char*>(response.ptr), response.len);
    if (free_ != nullptr) free_(response.ptr, response.len);
  }
  return reply;
}

bool HostApi::Log(LogLevel level, std::string_view message) const {
  return Log(level, message, StringMap{});
}

bool HostApi::Log(LogLevel level, std::string_view message, const StringMap& fields) const {
  LogRequest request;
  request.level = std::string(LogLevelName(level));
  request.message = std::string(message);
  for (const auto& [key, value] : fields) request.fields.Set(key, AnyValue::String(value));
  RawReply reply = Call("host.log", json::EncodeLogRequest(request));
  json::Envelope envelope;
  return reply.code == 0 && json::DecodeEnvelope(reply.body, &envelope).ok() && envelope.ok;
}

Result<Empty> DecodePickInto(std::string_view body, const json::PickFields& fields,
                             PickRequest* out) {
  if (json::DecodeStatus s = json::DecodePickRequest(body, out, fields); !s) {
    return {MakeError(codes::kInvalidRequest, "scheduler.pick: " + s.message), /*fatal=*/true};
  }
  return Empty{};
}

Result<PickRequest> DecodePick(std::string_view body, const json::PickFields& fields) {
  PickRequest request;
  if (Result<Empty> decoded = DecodePickInto(body, fields, &request); !decoded.ok()) {
    return {decoded.error(), decoded.fatal()};
  }
  return request;
}

Result<PickResult> Plugin::PickBody(std::string_view body) {
  Result<PickRequest> request = DecodePick(body, json::PickFields::All());
  if (!request.ok()) return {request.error(), request.fatal()};
  return Pick(request.value());
}

Result<PickResult> Plugin::Pick(const PickRequest&) {
  return {MakeError(codes::kUnknownMethod, "unknown method: scheduler.pick")};
}

Result<Empty> Plugin::HandleUsage(const UsageRecord&) {
  return {MakeError(codes::kUnknownMethod, "unknown method: usage.handle")};
}

Result<ManagementRegistration> Plugin::RegisterManagement(const ManagementRegistrationRequest&) {
  return {MakeError(codes::kUnknownMethod, "unknown method: management.register")};
}

Result<ManagementResponse> Plugin::HandleManagement(const ManagementRequest&) {
  return {MakeError(codes::kUnknownMethod, "unknown method: management.handle")};
}

RawReply Plugin::HandleOther(std::string_view method, std::string_view) {
  return ErrorReply(0, codes::kUnknownMethod, "unknown method: " + std::string(method));
}

RawReply Dispatch(Plugin* plugin, const char* method, std::string_view body) noexcept {
  try {
    if (method == nullptr) return ErrorReply(1, codes::kInvalidMethod, "method is required");
    std::string_view name(method);
    if (name == kPick) return DispatchPick(plugin, body);
    if (name == kRegister) return DispatchLifecycle(plugin, false, body);
    if (name == kReconfigure) return DispatchLifecycle(plugin, true, body);
    if (name == kUsage && plugin->serves_usage()) return DispatchUsage(plugin, body);
    if (plugin->serves_management()) {
      if (name == kManagementRegister) return DispatchManagementRegister(plugin, body);
      if (name == kManagementHandle) return DispatchManagementHandle(plugin, body);
    }
    return plugin->HandleOther(name, body);
  } catch (const std::bad_alloc&) {
    return {1,
            "{\"ok\":false,\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}"};
  } catch (const std::exception& e) {
    try {
      return ErrorReply(1, codes::kInternalError, std::string("internal error: ") + e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  return {1,
          "{\"ok\":false,\"error\":{\"code\":\"internal_error\",\"message\":\"internal error\"}}"};
}

namespace internal {

int InitPlugin(PluginFactory factory, const cliproxy_host_api* host,
               cliproxy_plugin_api* api) noexcept {
  if (api == nullptr) return 1;
  try {
    if (g_plugin.load(std::memory_order_acquire) == nullptr) {
      std::unique_ptr<Plugin> plugin = factory();
      plugin->AttachHost(HostApi(host));
      Plugin* expected = nullptr;
      if (!g_plugin.compare_exchange_strong(expected, plugin.get())) return 1;
      plugin.release();
    }
  } catch (...) {
    return 1;
  }
  api->abi_version = CLIPROXY_ABI_VERSION;
  api->call = &AbiCall;
  api->free_buffer = &AbiFree;
  api->shutdown = &AbiShutdown;
  return 0;
}

}  // namespace internal
}  // namespace cliproxy

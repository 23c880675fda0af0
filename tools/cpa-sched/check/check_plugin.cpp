#include "check/check_plugin.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"

namespace cpa_sched {
namespace {

constexpr std::string_view kLogReply = R"({"ok":true,"result":{}})";

int AnswerCallback(void*, const char* method, const uint8_t*, size_t, cliproxy_buffer* response) {
  if (response == nullptr) return 1;
  response->ptr = nullptr;
  response->len = 0;
  if (method == nullptr) return 1;
  std::string body;
  if (std::string_view(method) == "host.log") {
    body = std::string(kLogReply);
  } else {
    cliproxy::PluginError error;
    error.code = "host_call_failed";
    error.message = "unsupported host callback " + std::string(method);
    body = cliproxy::json::ErrorEnvelope(error);
  }
  void* mem = std::malloc(body.size());
  if (mem == nullptr) return 1;
  std::memcpy(mem, body.data(), body.size());
  response->ptr = mem;
  response->len = body.size();
  return 0;
}

void FreeCallbackReply(void* ptr, size_t) { std::free(ptr); }

}  // namespace

void CheckedPlugin::Open(const std::string& path, AbiFacts* facts,
                         std::unique_ptr<CheckedPlugin>* out) {
  *facts = AbiFacts{};
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    facts->failure = std::string("dlopen failed: ") + (error ? error : "unknown error");
    return;
  }
  facts->loaded = true;
  dlerror();
  void* symbol = dlsym(handle, CLIPROXY_PLUGIN_INIT_SYMBOL);
  if (symbol == nullptr) {
    facts->failure = "no exported symbol " CLIPROXY_PLUGIN_INIT_SYMBOL;
    return;  // the handle stays open: this process is about to end
  }
  facts->has_init = true;
  std::unique_ptr<CheckedPlugin> plugin(new CheckedPlugin());
  plugin->handle_ = handle;
  plugin->host_.abi_version = CLIPROXY_ABI_VERSION;
  plugin->host_.host_ctx = plugin.get();
  plugin->host_.call = &AnswerCallback;
  plugin->host_.free_buffer = &FreeCallbackReply;
  cliproxy_plugin_init_fn init = nullptr;
  std::memcpy(&init, &symbol, sizeof init);
  facts->init_rc = init(&plugin->host_, &plugin->api_);
  facts->abi_version = plugin->api_.abi_version;
  facts->has_call = plugin->api_.call != nullptr;
  facts->has_free = plugin->api_.free_buffer != nullptr;
  facts->has_shutdown = plugin->api_.shutdown != nullptr;
  if (facts->init_rc != 0) {
    facts->failure = CLIPROXY_PLUGIN_INIT_SYMBOL " returned " + std::to_string(facts->init_rc);
  } else if (facts->abi_version != CLIPROXY_ABI_VERSION) {
    facts->failure = "abi_version is " + std::to_string(facts->abi_version) + ", want " +
                     std::to_string(CLIPROXY_ABI_VERSION);
  } else if (!facts->has_call || !facts->has_free) {
    facts->failure = std::string("function table incomplete: ") +
                     (!facts->has_call ? "call" : "free_buffer") + " is NULL";
  }
  if (facts->failure.empty()) *out = std::move(plugin);
}

CheckedPlugin::~CheckedPlugin() = default;

cliproxy::host::CallReply CheckedPlugin::Call(const char* method, std::string_view body) const {
  cliproxy_buffer response{nullptr, 0};
  const auto* request = body.empty() ? nullptr : reinterpret_cast<const uint8_t*>(body.data());
  cliproxy::host::CallReply reply;
  reply.rc = api_.call(method, request, body.size(), &response);
  if (response.ptr != nullptr) {
    reply.body.assign(static_cast<const char*>(response.ptr), response.len);
    api_.free_buffer(response.ptr, response.len);
  }
  return reply;
}

void CheckedPlugin::Shutdown() {
  if (api_.shutdown != nullptr) api_.shutdown();
}

void CheckedPlugin::Close() {
  if (handle_ != nullptr) dlclose(handle_);
  handle_ = nullptr;
}

std::string LifecycleBody(const std::string& config_yaml) {
  cliproxy::LifecycleRequest request;
  request.config_yaml = config_yaml;
  request.schema_version = cliproxy::host::kHostSchemaVersion;
  return cliproxy::json::EncodeLifecycleRequest(request);
}

}  // namespace cpa_sched

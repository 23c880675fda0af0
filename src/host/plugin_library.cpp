// PluginLibrary: dlopen, the init handshake, calls and host callbacks across the C ABI.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <utility>

#include "cliproxy/host/plugin_library.hpp"

namespace cliproxy::host {

// The host table handed to the plugin. Its address must stay fixed for the life of the
// library: a plugin may keep the pointer it got in init.
struct internal::HostTable {
  cliproxy_host_api api{};
  HostCallHandler handler;
};

namespace {

constexpr const char* kClosedReply =
    "{\"ok\":false,\"error\":{\"code\":\"plugin_closed\",\"message\":\"plugin client is closed\"}}";

void FreeHostBuffer(void* ptr, size_t) { std::free(ptr); }

// Never lets an exception or a null pointer cross back into the plugin.
int AnswerHostCall(void* host_ctx, const char* method, const uint8_t* request, size_t request_len,
                   cliproxy_buffer* response) {
  if (response != nullptr) {
    response->ptr = nullptr;
    response->len = 0;
  }
  auto* table = static_cast<const internal::HostTable*>(host_ctx);
  if (table == nullptr || method == nullptr || !table->handler) return 1;
  try {
    std::string_view body;
    if (request != nullptr) body = {reinterpret_cast<const char*>(request), request_len};
    CallReply reply = table->handler(method, body);
    if (response != nullptr && !reply.body.empty()) {
      void* mem = std::malloc(reply.body.size());
      if (mem == nullptr) return 1;
      std::memcpy(mem, reply.body.data(), reply.body.size());
      response->ptr = mem;
      response->len = reply.body.size();
    }
    return reply.rc;
  } catch (...) {
    return 1;
  }
}

std::string LastDlError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown dynamic loader error";
}

}  // namespace

PluginLibrary::PluginLibrary(std::string path, void* handle,
                             std::unique_ptr<internal::HostTable> table)
    : path_(std::move(path)), handle_(handle), table_(std::move(table)) {}

Status PluginLibrary::Open(const std::string& path, HostCallHandler handler,
                           std::unique_ptr<PluginLibrary>* out) {
  // A name without a slash would make dlopen() search the library path; a plugin file
  // is always a file path.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Status::Error("load plugin " + path + ": " + LastDlError());

  dlerror();  // a null symbol is only an error if dlerror() says so
  void* symbol = dlsym(handle, CLIPROXY_PLUGIN_INIT_SYMBOL);
  if (symbol == nullptr) {
    std::string error = LastDlError();
    dlclose(handle);
    return Status::Error("load plugin " + path +
                         ": missing symbol " CLIPROXY_PLUGIN_INIT_SYMBOL ": " + error);
  }

  auto table = std::make_unique<internal::HostTable>();
  table->handler = std::move(handler);
  table->api.abi_version = CLIPROXY_ABI_VERSION;
  table->api.host_ctx = table.get();
  table->api.call = &AnswerHostCall;
  table->api.free_buffer = &FreeHostBuffer;
  std::unique_ptr<PluginLibrary> library(new PluginLibrary(path, handle, std::move(table)));

  // POSIX gives no typed way from void* to a function pointer; memcpy is the portable form.
  cliproxy_plugin_init_fn init = nullptr;
  static_assert(sizeof(init) == sizeof(symbol));
  std::memcpy(&init, &symbol, sizeof(init));

  int rc = init(&library->table_->api, &library->api_);
  std::string refusal;
  if (rc != 0) {
    refusal = "cliproxy_plugin_init returned " + std::to_string(rc);
  } else if (library->api_.abi_version != CLIPROXY_ABI_VERSION) {
    refusal =
        "plugin ABI version " + std::to_string(library->api_.abi_version) + " is not supported";
  } else if (library->api_.call == nullptr || library->api_.free_buffer == nullptr) {
    refusal = "plugin function table is incomplete";
  }
  if (!refusal.empty()) {
    // A refused plugin is never called again, not even `shutdown`: its table is not trusted.
    library->shut_down_ = true;
    return Status::Error("load plugin " + path + ": " + refusal);
  }
  *out = std::move(library);
  return {};
}

PluginLibrary::~PluginLibrary() {
  Shutdown();
  if (handle_ != nullptr) dlclose(handle_);
}

void PluginLibrary::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (api_.shutdown != nullptr) api_.shutdown();
}

CallReply PluginLibrary::Call(std::string_view method, std::string_view body) const {
  if (shut_down_) return {1, kClosedReply};
  std::string name(method);  // the ABI wants a NUL-terminated name
  cliproxy_buffer response{nullptr, 0};
  const auto* request = body.empty() ? nullptr : reinterpret_cast<const uint8_t*>(body.data());
  CallReply reply;
  reply.rc = api_.call(name.c_str(), request, body.size(), &response);
  if (response.ptr != nullptr) {
    reply.body.assign(static_cast<const char*>(response.ptr), response.len);
    api_.free_buffer(response.ptr, response.len);
  }
  return reply;
}

}  // namespace cliproxy::host

#include "support/loaded_plugin.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

namespace cliproxy::test_support {

LoadedPlugin::LoadedPlugin(const std::string& path, const cliproxy_host_api* host, OnClose on_close)
    : on_close_(on_close) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    ADD_FAILURE() << "dlopen " << path << ": " << dlerror();
    return;
  }
  auto init =
      reinterpret_cast<cliproxy_plugin_init_fn>(dlsym(handle_, CLIPROXY_PLUGIN_INIT_SYMBOL));
  if (init == nullptr) {
    ADD_FAILURE() << "no " << CLIPROXY_PLUGIN_INIT_SYMBOL << " in " << path;
    return;
  }
  init_result_ = init(host, &api_);
}

LoadedPlugin::~LoadedPlugin() {
  if (on_close_ == OnClose::kShutdown && api_.shutdown != nullptr) api_.shutdown();
  if (handle_ != nullptr) dlclose(handle_);
}

PluginReply LoadedPlugin::Call(const char* method, std::optional<std::string_view> body) const {
  if (!body) return CallRaw(method, nullptr, 0);
  return CallRaw(method, body->data(), body->size());
}

PluginReply LoadedPlugin::CallRaw(const char* method, const void* request, size_t length) const {
  PluginReply reply;
  if (api_.call == nullptr) return reply;
  cliproxy_buffer response{reinterpret_cast<void*>(0x1), 12345};
  reply.rc = api_.call(method, static_cast<const uint8_t*>(request), length, &response);
  if (response.ptr != nullptr && response.len > 0) {
    reply.body.assign(static_cast<const char*>(response.ptr), response.len);
  }
  api_.free_buffer(response.ptr, response.len);
  return reply;
}

bool IsMapped(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);
  return true;
}

}  // namespace cliproxy::test_support

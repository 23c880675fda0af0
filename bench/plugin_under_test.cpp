#include "plugin_under_test.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::bench {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(2);
}

}  // namespace

PluginUnderTest::PluginUnderTest(const std::string& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) Die("cannot load " + path + ": " + dlerror());
  auto init =
      reinterpret_cast<cliproxy_plugin_init_fn>(dlsym(handle_, CLIPROXY_PLUGIN_INIT_SYMBOL));
  if (init == nullptr) Die(path + " does not export " CLIPROXY_PLUGIN_INIT_SYMBOL);
  cliproxy_host_api host{CLIPROXY_ABI_VERSION, nullptr, nullptr, nullptr};
  if (init(&host, &api_) != 0 || api_.abi_version != CLIPROXY_ABI_VERSION || !api_.call ||
      !api_.free_buffer) {
    Die(path + ": cliproxy_plugin_init failed or returned an incomplete function table");
  }
}

PluginUnderTest::~PluginUnderTest() {
  if (api_.shutdown) api_.shutdown();
  if (handle_) dlclose(handle_);
}

std::string PluginUnderTest::Call(const char* method, std::string_view body, int* rc) const {
  cliproxy_buffer response{nullptr, 0};
  int code =
      api_.call(method, reinterpret_cast<const uint8_t*>(body.data()), body.size(), &response);
  std::string reply(static_cast<const char*>(response.ptr), response.len);
  api_.free_buffer(response.ptr, response.len);
  if (rc) *rc = code;
  return reply;
}

void PluginUnderTest::Configure(std::string_view yaml) const {
  LifecycleRequest request;
  request.config_yaml = std::string(yaml);
  request.schema_version = 6;
  int rc = 0;
  std::string reply = Call("plugin.register", json::EncodeLifecycleRequest(request), &rc);
  if (rc != 0 || reply.rfind("{\"ok\":true", 0) != 0) Die("register refused: " + reply);
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CLIPROXY_TESTDATA_DIR) + "/" + name, std::ios::binary);
  if (!in) Die("missing test data " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace cliproxy::bench

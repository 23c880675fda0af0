#include "plugin_under_test.hpp"

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
  auto host_log = [](std::string_view method, std::string_view) -> host::CallReply {
    if (method == "host.log") return {0, "{\"ok\":true,\"result\":{}}"};
    return {1, ""};
  };
  if (host::Status s = host::PluginLibrary::Open(path, host_log, &library_); !s.ok()) {
    Die(s.message());
  }
}

std::string PluginUnderTest::Call(std::string_view method, std::string_view body, int* rc) const {
  host::CallReply reply = library_->Call(method, body);
  if (rc) *rc = reply.rc;
  return std::move(reply.body);
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

// PluginUnderTest: a plugin shared object opened with dlopen and driven through its C
// function table, exactly as a host drives it. For benchmarks only (the host library is
// the general-purpose loader); aborts with a message if the plugin cannot be loaded.
//
// Thread-safety: Call() may be used from many threads at once, as a host does.
#ifndef CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_
#define CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_

#include <string>
#include <string_view>

#include "cliproxy/abi.h"

namespace cliproxy::bench {

class PluginUnderTest {
 public:
  explicit PluginUnderTest(const std::string& path);
  ~PluginUnderTest();
  PluginUnderTest(const PluginUnderTest&) = delete;
  PluginUnderTest& operator=(const PluginUnderTest&) = delete;

  // Sends one call; returns the reply bytes (and the return code through `rc`).
  std::string Call(const char* method, std::string_view body, int* rc = nullptr) const;
  // Registers with `yaml` (base64-wrapped as the host does); aborts if refused.
  void Configure(std::string_view yaml) const;

 private:
  void* handle_ = nullptr;
  cliproxy_plugin_api api_{};
};

// The bytes of a file under CLIPROXY_TESTDATA_DIR; aborts if it is missing.
std::string ReadTestdata(const std::string& name);

}  // namespace cliproxy::bench

#endif  // CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_

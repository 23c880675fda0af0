// PluginUnderTest: a plugin shared object loaded by the host library (PluginLibrary: dlopen
// and the C function table, as CLIProxyAPI loads it) for the benchmarks; aborts with a
// message if the plugin cannot be loaded. host.log callbacks are answered and dropped.
//
// Thread-safety: Call() may be used from many threads at once, as a host does.
#ifndef CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_
#define CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_

#include <memory>
#include <string>
#include <string_view>

#include "cliproxy/host/plugin_library.hpp"

namespace cliproxy::bench {

class PluginUnderTest {
 public:
  explicit PluginUnderTest(const std::string& path);

  // Sends one call; returns the reply bytes (and the return code through `rc`).
  std::string Call(std::string_view method, std::string_view body, int* rc = nullptr) const;
  // Registers with `yaml` (base64-wrapped as the host does); aborts if refused.
  void Configure(std::string_view yaml) const;

 private:
  std::unique_ptr<host::PluginLibrary> library_;
};

// The bytes of a file under CLIPROXY_TESTDATA_DIR; aborts if it is missing.
std::string ReadTestdata(const std::string& name);

}  // namespace cliproxy::bench

#endif  // CLIPROXY_BENCH_PLUGIN_UNDER_TEST_HPP_

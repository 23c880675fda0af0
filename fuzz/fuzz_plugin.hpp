// The plugin under fuzzing: scheduler.so's code linked into the fuzzer, initialized once
// through its one exported symbol and driven through the C ABI function table, as
// CLIProxyAPI drives it. Every reply must be one JSON envelope; anything else aborts the
// run (a finding), as do the sanitizers' reports.
#ifndef CLIPROXY_FUZZ_FUZZ_PLUGIN_HPP_
#define CLIPROXY_FUZZ_FUZZ_PLUGIN_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cliproxy::fuzz {

struct Reply {
  int rc = 0;
  std::string body;
};

// Calls `method` with `request` on the one plugin instance of this process; aborts unless
// the reply is a valid envelope.
Reply Call(const char* method, std::string_view request);

// {"config_yaml":"<base64 of yaml>","schema_version":3}
std::string LifecycleBody(std::string_view yaml);

// Registers `yaml`; aborts if it is refused (the harness's own configurations are valid).
void Configure(std::string_view yaml);

// A configuration with a route of every strategy, each taken when the pick's metadata
// `r` names it (the seed corpus shows the fuzzer how), and a catch-all round-robin route.
extern const char* const kEveryStrategy;

}  // namespace cliproxy::fuzz

#endif  // CLIPROXY_FUZZ_FUZZ_PLUGIN_HPP_

// plugin.register / plugin.reconfigure: an input starting with '{' is sent as the lifecycle
// body itself; any other is YAML, sent base64-encoded as the host sends a config. Each is
// followed by a pick, which must be answered by whatever configuration is in force.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_plugin.hpp"

namespace {

constexpr std::string_view kPick =
    R"({"Model":"gpt-5","Provider":"codex","Providers":["codex"],"Stream":true,)"
    R"("Options":{"Headers":{"X-Session-Id":["s1"]},"Metadata":{"caller_scope":"3f9a"}},)"
    R"("Candidates":[{"ID":"acme-1","Priority":0,"Attributes":{"weight":"2"}},{"ID":"b"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input[0] == '{') {
    cliproxy::fuzz::Call("plugin.reconfigure", input);
  } else {
    cliproxy::fuzz::Call("plugin.reconfigure", cliproxy::fuzz::LifecycleBody(input));
  }
  cliproxy::fuzz::Call("scheduler.pick", kPick);
  cliproxy::fuzz::Call("scheduler.explain", kPick);
  return 0;
}

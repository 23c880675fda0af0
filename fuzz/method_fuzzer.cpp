// One method (CLIPROXY_FUZZ_METHOD: scheduler.pick or scheduler.explain) with arbitrary
// bytes, on a configuration with a route of every strategy.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_plugin.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool configured = (cliproxy::fuzz::Configure(cliproxy::fuzz::kEveryStrategy), true);
  (void)configured;
  cliproxy::fuzz::Call(CLIPROXY_FUZZ_METHOD,
                       std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

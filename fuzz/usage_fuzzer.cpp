// usage.handle with arbitrary bytes, each followed by picks through the routes that learn
// from usage (least-used with a limit, fastest), so that whatever a record did to their
// state is read back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_plugin.hpp"

namespace {

constexpr std::string_view kLeastUsedPick =
    R"({"Options":{"Metadata":{"r":"least"}},"Candidates":[{"ID":"a"},{"ID":"b"},{"ID":""}]})";
constexpr std::string_view kFastestPick =
    R"({"Options":{"Metadata":{"r":"fast"}},"Candidates":[{"ID":"a"},{"ID":"b"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool configured = (cliproxy::fuzz::Configure(cliproxy::fuzz::kEveryStrategy), true);
  (void)configured;
  cliproxy::fuzz::Call("usage.handle", std::string_view(reinterpret_cast<const char*>(data), size));
  cliproxy::fuzz::Call("scheduler.pick", kLeastUsedPick);
  cliproxy::fuzz::Call("scheduler.pick", kFastestPick);
  return 0;
}

// management.handle (and, for inputs that start with 'R', management.register) with
// arbitrary bytes, on the configuration with a route of every strategy; each input is
// followed by a render of the status JSON and page, so that whatever it did is read back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_plugin.hpp"

namespace {

constexpr std::string_view kRegister =
    R"({"Plugin":{"Name":"scheduler"},"BasePath":"/v0/management",)"
    R"("ResourceBasePath":"/v0/resource/plugins/scheduler"})";
constexpr std::string_view kStatusJson =
    R"({"Method":"GET","Path":"/v0/management/plugins/scheduler/status","Headers":{},)"
    R"("Query":{},"Body":null})";
constexpr std::string_view kStatusPage =
    R"({"Method":"GET","Path":"/v0/resource/plugins/scheduler/status","Headers":{},)"
    R"("Query":{},"Body":null})";
constexpr std::string_view kPick =
    R"({"Options":{"Metadata":{"r":"least"}},"Candidates":[{"ID":"a"},{"ID":"b"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool configured = [] {
    cliproxy::fuzz::Configure(cliproxy::fuzz::kEveryStrategy);
    cliproxy::fuzz::Call("management.register", kRegister);
    cliproxy::fuzz::Call("scheduler.pick", kPick);
    return true;
  }();
  (void)configured;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input.front() == 'R') {
    cliproxy::fuzz::Call("management.register", input.substr(1));
  } else {
    cliproxy::fuzz::Call("management.handle", input);
  }
  cliproxy::fuzz::Call("management.handle", kStatusJson);
  cliproxy::fuzz::Call("management.handle", kStatusPage);
  return 0;
}

// Runs cpa-sched (CLIPROXY_CPA_SCHED) as a program, as a user would: arguments in, exit
// code, stdout (as lines) and stderr out. Shared by the tests of every command.
#ifndef CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_
#define CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host_test_support.hpp"
#include "support/program_run.hpp"

namespace cpa_sched::testing {

using ToolRun = cliproxy::test_support::ProgramRun;

// Runs CLIPROXY_CPA_SCHED with `args`; stderr goes through a file in `dir`.
inline ToolRun RunTool(const std::vector<std::string>& args,
                       const cliproxy::host::testing::TempDir& dir) {
  return cliproxy::test_support::RunProgram(CLIPROXY_CPA_SCHED, args, dir);
}

// The checks of `cpa-sched check`, in the order of its table.
inline const std::vector<std::string> kCheckNames = {
    "abi",         "registration",   "config-fields",      "pick-replies", "unknown-method",
    "null-method", "malformed-pick", "malformed-register", "concurrency",  "usage",
    "management",  "shutdown"};

// The check that only a plugin declaring usage_plugin runs; the others skip it, saying so.
inline const std::string kUsageCheck = "usage";
inline const std::string kNoUsagePlugin = "the registration does not declare usage_plugin";
// Likewise for management_api (scheduler.so declares it unless `status_page: false`).
inline const std::string kManagementCheck = "management";
inline const std::string kNoManagementApi = "the registration does not declare management_api";

struct CheckRow {
  std::string result;  // PASS, FAIL, SKIP; empty when the row is missing
  std::string detail;
};

// The row of `check` in the table: "<name padded to 20><result padded to 8><detail>".
inline CheckRow CheckRowOf(const ToolRun& run, const std::string& check) {
  for (const std::string& line : run.lines) {
    if (line.size() < 24 || line.rfind(check + " ", 0) != 0) continue;
    return {line.substr(20, 4), line.size() > 28 ? line.substr(28) : ""};
  }
  return {};
}

// A test that runs cpa-sched in its own temporary directory, which also holds the
// configuration files it writes.
class ToolTest : public ::testing::Test {
 protected:
  ToolRun RunTool(const std::vector<std::string>& args) const {
    return testing::RunTool(args, dir_);
  }
  // Writes `yaml` to a new file of the directory; returns its path.
  std::string Config(const std::string& yaml) {
    return dir_.Write("config-" + std::to_string(++configs_) + ".yaml", yaml);
  }
  static bool Has(const ToolRun& run, const std::string& line) { return run.Has(line); }

  cliproxy::host::testing::TempDir dir_;

 private:
  int configs_ = 0;
};

}  // namespace cpa_sched::testing

#endif  // CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_

// cpa-sched bench, run as a program for a fraction of a second: the report has its
// numbers, the options shape the run, and plugins it cannot measure are refused.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::host::testing::TempDir;
using cpa_sched::testing::RunTool;
using cpa_sched::testing::ToolRun;

class BenchTest : public ::testing::Test {
 protected:
  ToolRun Bench(const std::string& plugin, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"bench", plugin, "--seconds", "0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool(args, dir_);
  }
  std::string Config(const std::string& yaml) {
    std::string path = dir_.File("config-" + std::to_string(++configs_) + ".yaml");
    std::ofstream(path) << yaml;
    return path;
  }
  // The numbers of `line` matched by `pattern`'s groups.
  static std::vector<double> Numbers(const std::string& line, const std::string& pattern) {
    std::smatch m;
    std::vector<double> out;
    if (!std::regex_match(line, m, std::regex(pattern))) return out;
    for (size_t i = 1; i < m.size(); ++i) out.push_back(std::stod(m[i].str()));
    return out;
  }

  TempDir dir_;
  int configs_ = 0;
};

const char* kDuration = R"(([0-9.]+) (?:ns|us|ms))";

TEST_F(BenchTest, BriefRunOnSchedulerSoReportsLatencyAndThroughput) {
  ToolRun run = Bench(CLIPROXY_SCHEDULER_SO);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.err, "");  // no progress output when stderr is not a terminal

  std::vector<double> picks =
      Numbers(run.Line("picks:"),
              R"(picks: +([0-9]+) in ([0-9.]+) s \(0 error envelopes, 0 failed calls\))");
  ASSERT_EQ(picks.size(), 2u) << run.out;
  EXPECT_GT(picks[0], 0);
  EXPECT_GE(picks[1], 0.2);

  std::vector<double> throughput =
      Numbers(run.Line("throughput:"), R"(throughput: +([0-9]+) picks/s)");
  ASSERT_EQ(throughput.size(), 1u) << run.out;
  // The reported rate is the reported count over the reported time (to its rounding).
  EXPECT_NEAR(throughput[0], picks[0] / picks[1], picks[0] / picks[1] * 0.01 + 1) << run.out;

  std::vector<double> latency =
      Numbers(run.Line("latency:"), std::string("latency: +median ") + kDuration + ", p99 " +
                                        kDuration + ", max " + kDuration);
  ASSERT_EQ(latency.size(), 3u) << run.out;
  EXPECT_GT(latency[0], 0);

  EXPECT_EQ(run.Line("requests:"),
            "requests:    64 Codex-like scheduler.pick bodies, 10 candidates, " +
                run.Line("requests:").substr(run.Line("requests:").rfind(", ") + 2))
      << run.out;
  EXPECT_EQ(run.Line("replies:"),
            "replies:     64 sampled, all valid: 0 auth, 0 delegate, 64 unhandled, 0 error "
            "envelopes")
      << run.out;
}

TEST_F(BenchTest, OptionsShapeTheRun) {
  // Every generated request offers codex-user0, so a plugin pinned to it always names it.
  ToolRun run = Bench(CLIPROXY_SCHEDULER_SO, {"--candidates", "3", "--threads", "2", "--config",
                                              Config("auth_id: codex-user0@example.com.json\n")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.Line("run:"), "run:         2 threads, 0.2 s") << run.out;
  EXPECT_NE(run.Line("requests:").find(", 3 candidates, "), std::string::npos) << run.out;
  EXPECT_EQ(run.Line("replies:"),
            "replies:     64 sampled, all valid: 64 auth, 0 delegate, 0 unhandled, 0 error "
            "envelopes")
      << run.out;
}

TEST_F(BenchTest, ErrorEnvelopesAreCounted) {
  ToolRun run = Bench(CLIPROXY_SCHEDULER_SO, {"--config", Config("deny: true\n")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<double> picks =
      Numbers(run.Line("picks:"),
              R"(picks: +([0-9]+) in [0-9.]+ s \(([0-9]+) error envelopes, 0 failed calls\))");
  ASSERT_EQ(picks.size(), 2u) << run.out;
  EXPECT_EQ(picks[0], picks[1]) << run.out;  // every pick is denied
}

TEST_F(BenchTest, AnyPluginCanBeMeasured) {
  ToolRun run = Bench(CLIPROXY_FIXTURE_SCRIPTED);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.Line("plugin:"), "plugin:      fixture 1.0.0 by tests");
}

TEST_F(BenchTest, PluginsItCannotMeasureExitTwo) {
  ToolRun usage =
      Bench(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("capabilities: usage_plugin\n")});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("does not declare the scheduler capability"), std::string::npos)
      << usage.err;

  ToolRun abi = Bench(CLIPROXY_FIXTURE_ABI_V2);
  EXPECT_EQ(abi.exit_code, 2);
  EXPECT_NE(abi.err.find("plugin ABI version 2 is not supported"), std::string::npos) << abi.err;

  std::string config = Config("deny: 1\n");
  ToolRun refused = Bench(CLIPROXY_SCHEDULER_SO, {"--config", config});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("plugin.register with " + config +
                             ": the registration was refused: invalid_config"),
            std::string::npos)
      << refused.err;
}

TEST_F(BenchTest, BadArgumentsExitTwo) {
  EXPECT_EQ(Bench(CLIPROXY_SCHEDULER_SO, {"--threads", "0"}).exit_code, 2);
  EXPECT_EQ(RunTool({"bench", CLIPROXY_SCHEDULER_SO, "--seconds", "0"}, dir_).exit_code, 2);
  EXPECT_EQ(Bench(CLIPROXY_SCHEDULER_SO, {"--candidates", "-1"}).exit_code, 2);
  std::string missing = dir_.File("absent.so");
  ToolRun run = Bench(missing);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(missing), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(BenchTest, HelpHasAnExample) {
  ToolRun run = RunTool({"bench", "--help"}, dir_);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Example:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cpa-sched bench ./scheduler.so"), std::string::npos) << run.out;
}

}  // namespace

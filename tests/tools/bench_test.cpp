// cpa-sched bench, run as a program for a fraction of a second: the report has its
// numbers, the options shape the run, and plugins it cannot measure are refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "host_test_support.hpp"

namespace {

using cpa_sched::testing::ToolRun;

class BenchTest : public cpa_sched::testing::ToolTest {
 protected:
  ToolRun Bench(const std::string& plugin, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"bench", plugin, "--seconds", "0.2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool(args);
  }
  // The report's lines, read with sscanf (std::regex trips GCC 12's -Wmaybe-uninitialized
  // in the sanitizer builds).
  struct Picks {
    double count = -1, seconds = -1, errors = -1, failed = -1;
  };
  static Picks ReadPicks(const std::string& line) {
    Picks p;
    if (std::sscanf(line.c_str(), "picks: %lf in %lf s (%lf error envelopes, %lf failed calls)",
                    &p.count, &p.seconds, &p.errors, &p.failed) != 4) {
      return Picks{};
    }
    return p;
  }
  // Median, p99 and max in nanoseconds; empty if the line does not read.
  static std::vector<double> ReadLatency(const std::string& line) {
    double v[3];
    char unit[3][3];
    if (std::sscanf(line.c_str(), "latency: median %lf %2s, p99 %lf %2s, max %lf %2s", &v[0],
                    unit[0], &v[1], unit[1], &v[2], unit[2]) != 6) {
      return {};
    }
    std::vector<double> ns;
    for (int i = 0; i < 3; ++i) {
      std::string u = unit[i];
      double scale = u == "ns" ? 1 : u == "us" ? 1e3 : u == "ms" ? 1e6 : -1;
      if (scale < 0) return {};
      ns.push_back(v[i] * scale);
    }
    return ns;
  }
  static bool StartsWith(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
  }
};

TEST_F(BenchTest, BriefRunOnSchedulerSoReportsLatencyAndThroughput) {
  ToolRun run = Bench(CLIPROXY_SCHEDULER_SO);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.err, "");  // no progress output when stderr is not a terminal

  Picks picks = ReadPicks(run.Line("picks:"));
  ASSERT_GT(picks.count, 0) << run.out;
  EXPECT_GE(picks.seconds, 0.2);
  EXPECT_EQ(picks.errors, 0);
  EXPECT_EQ(picks.failed, 0);

  double throughput = -1;
  ASSERT_EQ(std::sscanf(run.Line("throughput:").c_str(), "throughput: %lf picks/s", &throughput), 1)
      << run.out;
  // The reported rate is the reported count over the reported time (to its rounding).
  double rate = picks.count / picks.seconds;
  EXPECT_NEAR(throughput, rate, rate * 0.01 + 1) << run.out;

  std::vector<double> latency = ReadLatency(run.Line("latency:"));
  ASSERT_EQ(latency.size(), 3u) << run.out;
  EXPECT_GT(latency[0], 0);
  EXPECT_LE(latency[0], latency[1]);  // median <= p99 <= max
  EXPECT_LE(latency[1], latency[2]);

  std::string requests = run.Line("requests:");
  EXPECT_TRUE(
      StartsWith(requests, "requests:    64 Codex-like scheduler.pick bodies, 10 candidates, "))
      << requests;
  EXPECT_EQ(requests.substr(requests.size() - 11), " bytes each") << requests;
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
  Picks picks = ReadPicks(run.Line("picks:"));
  ASSERT_GT(picks.count, 0) << run.out;
  EXPECT_EQ(picks.errors, picks.count) << run.out;  // every pick is denied
  EXPECT_EQ(picks.failed, 0);
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

  std::string config = Config("fail_open: true\ndeny: 1\n");
  ToolRun refused = Bench(CLIPROXY_SCHEDULER_SO, {"--config", config});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("plugin.register with " + config +
                             ": the registration was refused: invalid_config"),
            std::string::npos)
      << refused.err;
}

TEST_F(BenchTest, BadArgumentsExitTwo) {
  EXPECT_EQ(Bench(CLIPROXY_SCHEDULER_SO, {"--threads", "0"}).exit_code, 2);
  EXPECT_EQ(RunTool({"bench", CLIPROXY_SCHEDULER_SO, "--seconds", "0"}).exit_code, 2);
  EXPECT_EQ(Bench(CLIPROXY_SCHEDULER_SO, {"--candidates", "-1"}).exit_code, 2);
  std::string missing = dir_.File("absent.so");
  ToolRun run = Bench(missing);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(missing), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(BenchTest, HelpHasAnExample) {
  ToolRun run = RunTool({"bench", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Example:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cpa-sched bench ./scheduler.so"), std::string::npos) << run.out;
}

}  // namespace

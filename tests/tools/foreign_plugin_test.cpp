// cpa-sched against scheduler plugins that are not ours: one written in Go (cgo, built with
// -buildmode=c-shared, carrying the Go runtime) and one in Rust (a cdylib with a hand-written
// JSON reader), both from tests/fixtures. Each pins `auth_id` when it is offered and leaves
// the pick to the host otherwise. check, pick, bench and simulate must work with either.
//
// The plugins are loaded only by the cpa-sched processes these tests start, never by this
// process: a Go c-shared library cannot be unloaded, and its runtime has no business here.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::host::testing::TempDir;
using cpa_sched::testing::RunTool;
using cpa_sched::testing::ToolRun;

struct ForeignPlugin {
  std::string language;
  std::string path;
  std::string id;    // the file name without .so: what cpa-sched calls the plugin
  std::string name;  // the registration's metadata Name
};

void PrintTo(const ForeignPlugin& plugin, std::ostream* os) { *os << plugin.language; }

const std::vector<std::string>& kChecks = cpa_sched::testing::kCheckNames;
using Row = cpa_sched::testing::CheckRow;
using cpa_sched::testing::CheckRowOf;

// The words of `line`, split on spaces.
std::vector<std::string> Words(const std::string& line) {
  std::stringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ForeignPluginTest : public ::testing::TestWithParam<ForeignPlugin> {
 protected:
  const ForeignPlugin& plugin() const { return GetParam(); }

  ToolRun Run(std::vector<std::string> args) { return RunTool(args, dir_); }

  std::string Config(const std::string& yaml) {
    std::string path = dir_.File("config-" + std::to_string(++configs_) + ".yaml");
    std::ofstream(path) << yaml;
    return path;
  }

  static bool Has(const ToolRun& run, const std::string& line) {
    for (const std::string& l : run.lines) {
      if (l == line) return true;
    }
    return false;
  }

  TempDir dir_;
  int configs_ = 0;
};

TEST_P(ForeignPluginTest, CheckPassesEveryProbe) {
  ToolRun run = Run({"check", plugin().path});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const std::string& check : kChecks) {
    Row row = CheckRowOf(run, check);
    // Neither plugin declares usage_plugin: the usage probe has nothing to send.
    if (check == cpa_sched::testing::kUsageCheck) {
      EXPECT_EQ(row.result, "SKIP") << row.detail;
      EXPECT_EQ(row.detail, cpa_sched::testing::kNoUsagePlugin);
      continue;
    }
    if (check == cpa_sched::testing::kManagementCheck) {  // nor management_api
      EXPECT_EQ(row.result, "SKIP") << row.detail;
      EXPECT_EQ(row.detail, cpa_sched::testing::kNoManagementApi);
      continue;
    }
    EXPECT_EQ(row.result, "PASS") << check << ": " << row.detail << "\n" << run.out;
  }
  EXPECT_EQ(run.Line("12 checks:"), "12 checks: 10 passed, 0 failed, 2 skipped") << run.out;
  EXPECT_EQ(CheckRowOf(run, "registration").detail,
            plugin().name + " 0.1.0 by cliproxy-scheduler tests, schema 1, capabilities scheduler");
  EXPECT_EQ(CheckRowOf(run, "config-fields").detail, "auth_id string");
  EXPECT_EQ(CheckRowOf(run, "null-method").detail, "rc 1, invalid_method");
  EXPECT_EQ(CheckRowOf(run, "unknown-method").detail,
            "rc 0, unknown_method: unknown method: cpa_sched.no_such_method");
  // Type errors the host's decoder would refuse (a numeric ID, Priority "high", ...) are
  // refused by each plugin's own reader, as error envelopes, without a crash.
  EXPECT_EQ(CheckRowOf(run, "malformed-pick").detail,
            "9 bodies, each answered with an error envelope (plugin_error)");
  EXPECT_EQ(CheckRowOf(run, "malformed-register").detail,
            "5 bodies, each answered with an error envelope (plugin_error)");
  EXPECT_EQ(CheckRowOf(run, "shutdown").detail, "shutdown after calls, then dlclose: no crash");
}

TEST_P(ForeignPluginTest, CheckWithACliProxyConfigPinningAnAuthSeesAuthReplies) {
  // The plugin gets plugins.configs.<id>, with `enabled` and `priority` around its key.
  std::string config = Config("plugins:\n  enabled: true\n  configs:\n    " + plugin().id +
                              ":\n      enabled: true\n      priority: 2\n"
                              "      auth_id: codex-user0@example.com.json\n");
  ToolRun run = Run({"check", plugin().path, "--config", config});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  Row picks = CheckRowOf(run, "pick-replies");
  ASSERT_EQ(picks.result, "PASS") << picks.detail;
  // Every shape but "no candidates" offers codex-user0: the pin decides those picks.
  int total = -1, shapes = -1, auth = -1, delegate = -1, unhandled = -1, errors = -1;
  ASSERT_EQ(std::sscanf(picks.detail.c_str(),
                        "%d picks of %d shapes: %d auth, %d delegate, %d unhandled, %d error",
                        &total, &shapes, &auth, &delegate, &unhandled, &errors),
            6)
      << picks.detail;
  EXPECT_GT(auth, 0) << picks.detail;
  EXPECT_GT(unhandled, 0) << picks.detail;  // the picks with no candidates
  EXPECT_EQ(auth + unhandled, total) << picks.detail;
  EXPECT_EQ(delegate, 0);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(CheckRowOf(run, "concurrency").result, "PASS") << CheckRowOf(run, "concurrency").detail;
}

TEST_P(ForeignPluginTest, PickChoosesThePinnedAuth) {
  ToolRun run = Run({"pick", plugin().path, "--config", Config("auth_id: codex-b.json\n"),
                     "--model", "gpt-5", "--provider", "codex", "--candidate", "codex-a.json",
                     "--candidate", "codex-b.json", "--candidate", "codex-c.json"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run, "plugin: " + plugin().id + " (" + plugin().path + "), priority 0, active"))
      << run.out;
  EXPECT_TRUE(Has(run,
                  "reply: rc=0 {\"ok\":true,\"result\":{\"AuthID\":\"codex-b.json\","
                  "\"DelegateBuiltin\":\"\",\"Handled\":true}}"))
      << run.out;
  EXPECT_TRUE(Has(run, "decision: plugin-auth")) << run.out;
  EXPECT_TRUE(Has(run, "auth: codex-b.json")) << run.out;
  // It does not answer scheduler.explain: no rule line, only the raw reply.
  EXPECT_EQ(run.Line("rule:"), "") << run.out;
}

TEST_P(ForeignPluginTest, PickWithoutTheAuthOnOfferLeavesItToTheBuiltin) {
  std::string config = Config("auth_id: elsewhere.json\n");
  ToolRun fill = Run({"pick", plugin().path, "--config", config, "--strategy", "fill-first",
                      "--candidate", "c", "--candidate", "b:2", "--candidate", "a:2"});
  EXPECT_EQ(fill.exit_code, 0) << fill.out << fill.err;
  EXPECT_TRUE(Has(fill,
                  "reply: rc=0 {\"ok\":true,\"result\":{\"AuthID\":\"\","
                  "\"DelegateBuiltin\":\"\",\"Handled\":false}}"))
      << fill.out;
  EXPECT_TRUE(Has(fill, "decision: unhandled")) << fill.out;
  // fill-first: the lowest ID of the highest priority tier.
  EXPECT_TRUE(Has(fill, "built-in: fill-first -> a")) << fill.out;
  EXPECT_TRUE(Has(fill, "auth: a")) << fill.out;

  // No configuration at all: nothing is pinned.
  ToolRun none = Run({"pick", plugin().path, "--candidate", "z", "--candidate", "y"});
  EXPECT_EQ(none.exit_code, 0) << none.out << none.err;
  EXPECT_TRUE(Has(none, "decision: unhandled")) << none.out;
  EXPECT_TRUE(Has(none, "built-in: round-robin -> y")) << none.out;
}

TEST_P(ForeignPluginTest, BenchReportsLatencyThroughputAndThePinnedReplies) {
  // Every generated request offers codex-user0, so the pin decides every sampled reply.
  ToolRun run = Run({"bench", plugin().path, "--seconds", "0.2", "--config",
                     Config("auth_id: codex-user0@example.com.json\n")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.Line("plugin:"),
            "plugin:      " + plugin().name + " 0.1.0 by cliproxy-scheduler tests")
      << run.out;
  double count = -1, seconds = -1, errors = -1, failed = -1;
  ASSERT_EQ(std::sscanf(run.Line("picks:").c_str(),
                        "picks: %lf in %lf s (%lf error envelopes, %lf failed calls)", &count,
                        &seconds, &errors, &failed),
            4)
      << run.out;
  EXPECT_GT(count, 0);
  EXPECT_GE(seconds, 0.2);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(failed, 0);
  double throughput = -1;
  ASSERT_EQ(std::sscanf(run.Line("throughput:").c_str(), "throughput: %lf picks/s", &throughput), 1)
      << run.out;
  EXPECT_NEAR(throughput, count / seconds, count / seconds * 0.01 + 1) << run.out;
  double median = -1, p99 = -1, max = -1;
  char units[3][3];
  ASSERT_EQ(
      std::sscanf(run.Line("latency:").c_str(), "latency: median %lf %2s, p99 %lf %2s, max %lf %2s",
                  &median, units[0], &p99, units[1], &max, units[2]),
      6)
      << run.out;
  EXPECT_GT(median, 0);
  EXPECT_EQ(run.Line("replies:"),
            "replies:     64 sampled, all valid: 64 auth, 0 delegate, 0 unhandled, 0 error "
            "envelopes")
      << run.out;
}

TEST_P(ForeignPluginTest, SimulatePinsTheBackupWheneverTheTierOffersIt) {
  // priority-tiers: main.json (priority 10) cools down for a minute, and only then are the
  // two backups offered. Pinned to backup-2.json, the plugin takes every pick that offers it;
  // the host's round-robin takes the others, which offer main.json alone.
  std::string scenario = std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/priority-tiers.yaml";
  ToolRun run = Run({"simulate", plugin().path, "--scenario", scenario, "--config",
                     Config("auth_id: backup-2.json\n")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Contains(run.Line("plugin:"), plugin().id + " (" + plugin().path + ")")) << run.out;

  struct Account {
    long offered = -1;
    long picks = -1;
  };
  auto account = [&](const std::string& id) {
    std::vector<std::string> w = Words(run.Line("  " + id + " "));
    // account provider priority offered picks share
    return w.size() == 6 ? Account{std::stol(w[3]), std::stol(w[4])} : Account{};
  };
  auto decisions = [&](const std::string& kind) {
    std::vector<std::string> w = Words(run.Line("  " + kind + " "));
    return w.size() == 3 ? std::stol(w[1]) : -1L;
  };
  Account main = account("main.json");
  Account backup1 = account("backup-1.json");
  Account backup2 = account("backup-2.json");
  ASSERT_GT(backup2.offered, 0) << run.out;
  EXPECT_EQ(backup2.picks, backup2.offered) << run.out;
  EXPECT_EQ(backup1.picks, 0) << run.out;
  EXPECT_EQ(main.picks, main.offered) << run.out;
  EXPECT_EQ(decisions("plugin-auth"), backup2.picks) << run.out;
  EXPECT_EQ(decisions("unhandled"), main.picks) << run.out;
  EXPECT_EQ(decisions("error"), 0) << run.out;
  EXPECT_EQ(decisions("invalid-reply"), 0) << run.out;
  EXPECT_EQ(Words(run.Line("  (failed)")), (std::vector<std::string>{"(failed)", "0", "0.0%"}))
      << run.out;
  EXPECT_EQ(run.Line("errors:"), "errors: none") << run.out;
}

std::string FileStem(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  return name.substr(0, name.rfind('.'));
}

INSTANTIATE_TEST_SUITE_P(
    Languages, ForeignPluginTest,
    ::testing::Values(ForeignPlugin{"Go", CLIPROXY_FIXTURE_GO, FileStem(CLIPROXY_FIXTURE_GO),
                                    "go-scheduler-fixture"},
                      ForeignPlugin{"Rust", CLIPROXY_FIXTURE_RUST, FileStem(CLIPROXY_FIXTURE_RUST),
                                    "rust-scheduler-fixture"}),
    [](const ::testing::TestParamInfo<ForeignPlugin>& param) { return param.param.language; });

}  // namespace

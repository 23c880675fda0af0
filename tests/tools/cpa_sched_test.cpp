// cpa-sched pick, run as a program on the real scheduler.so: its report and exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::host::testing::CopyPlugin;
using cliproxy::test_support::ReadFile;
using cpa_sched::testing::ToolRun;

class CpaSchedTest : public cpa_sched::testing::ToolTest {
 protected:
  ToolRun Pick(const std::vector<std::string>& args) { return RunTool(args); }
};

TEST_F(CpaSchedTest, PinnedAuthIsReportedWithTheRawReply) {
  ToolRun run =
      Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", Config("auth_id: codex-b.json\n"), "--model",
            "gpt-5", "--provider", "codex", "--candidate", "codex-a.json", "--candidate",
            "codex-b.json:1", "--header", "X-Session-Id: s1", "--metadata", "caller_scope=t1"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(
      run, std::string("plugin: scheduler (") + CLIPROXY_SCHEDULER_SO + "), priority 0, active"))
      << run.out;
  EXPECT_TRUE(Has(run,
                  "reply: rc=0 {\"ok\":true,\"result\":{\"AuthID\":\"codex-b.json\","
                  "\"DelegateBuiltin\":\"\",\"Handled\":true}}"))
      << run.out;
  EXPECT_TRUE(Has(run, "rule: auth_id")) << run.out;
  EXPECT_TRUE(Has(run, "decision: plugin-auth"));
  EXPECT_TRUE(Has(run, "normalization: AuthID \"codex-b.json\" names a candidate"));
  EXPECT_TRUE(Has(run, "auth: codex-b.json"));
  EXPECT_EQ(run.err, "");
}

TEST_F(CpaSchedTest, DenyExitsOneWithTheError) {
  ToolRun run =
      Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", Config("deny: true\n"), "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(Has(run, "rule: deny")) << run.out;
  EXPECT_TRUE(Has(run, "decision: error"));
  EXPECT_TRUE(Has(run, "error: scheduler_denied: scheduler pick denied by plugin configuration"))
      << run.out;
  EXPECT_EQ(std::count_if(run.lines.begin(), run.lines.end(),
                          [](const std::string& l) { return l.rfind("auth:", 0) == 0; }),
            0);
}

TEST_F(CpaSchedTest, UnhandledPickShowsTheBuiltinChoice) {
  ToolRun run =
      Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", Config("auth_id: elsewhere\n"), "--strategy",
            "fill-first", "--candidate", "c", "--candidate", "b:2", "--candidate", "a:2"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run, "rule: none (no rule or route decided)")) << run.out;
  EXPECT_TRUE(Has(run, "decision: unhandled"));
  EXPECT_TRUE(Has(run, "built-in: fill-first -> a")) << run.out;
  EXPECT_TRUE(Has(run, "auth: a"));
}

TEST_F(CpaSchedTest, TheRouteThatDecidedIsNamed) {
  std::string routes = Config(
      "routes:\n"
      "  - name: team-a\n    when:\n      headers:\n        X-Team: a\n"
      "    pool:\n      ids: [\"a-*\"]\n    strategy: round-robin\n"
      "  - name: rest\n    strategy: fill-first\n");
  ToolRun team = Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", routes, "--candidate", "b-1",
                       "--candidate", "a-2", "--candidate", "a-1", "--header", "X-Team: a"});
  EXPECT_EQ(team.exit_code, 0) << team.out << team.err;
  EXPECT_TRUE(Has(team, "rule: routes[0] team-a")) << team.out;
  EXPECT_TRUE(Has(team, "auth: a-1")) << team.out;  // the rotation starts at the smallest ID
  // The explanation and the pick agree: no note.
  EXPECT_EQ(team.out.find("note:"), std::string::npos) << team.out;

  ToolRun rest = Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", routes, "--candidate", "b-1",
                       "--candidate", "a-1"});
  EXPECT_TRUE(Has(rest, "rule: routes[1] rest")) << rest.out;
  EXPECT_TRUE(Has(rest, "auth: a-1")) << rest.out;  // fill-first: the lowest ID
}

TEST_F(CpaSchedTest, PluginWithoutExplainShowsOnlyTheRawReply) {
  ToolRun run = Pick({"pick", CLIPROXY_FIXTURE_SCRIPTED, "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run,
                  "reply: rc=0 {\"ok\":true,\"result\":{\"AuthID\":\"\",\"DelegateBuiltin\":\"\","
                  "\"Handled\":false}}"))
      << run.out;
  for (const std::string& line : run.lines) EXPECT_NE(line.rfind("rule:", 0), 0u) << line;
}

TEST_F(CpaSchedTest, RegistrationLineListsEveryCapability) {
  ToolRun run = Pick({"pick", CLIPROXY_FIXTURE_SCRIPTED, "--config",
                      Config("capabilities: scheduler executor scheduler_across_priorities\n"),
                      "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run,
                  "registration: fixture 1.0.0 by tests, schema 1, capabilities "
                  "scheduler,executor,scheduler_across_priorities"))
      << run.out;
}

TEST_F(CpaSchedTest, CliProxyConfigAndRecordedRequest) {
  std::string request_path = std::string(CLIPROXY_TESTDATA_DIR) + "/pick-10.json";
  cliproxy::PickRequest request;
  ASSERT_TRUE(cliproxy::json::DecodePickRequest(ReadFile(request_path), &request).ok());
  std::vector<std::string> ids;
  for (const cliproxy::Candidate& c : request.candidates) ids.push_back(c.id);
  std::string first = *std::min_element(ids.begin(), ids.end());  // every candidate is tier 0

  std::string config = Config(
      "plugins:\n  enabled: true\n  dir: plugins\n  configs:\n    other:\n      enabled: true\n"
      "    scheduler:\n      enabled: true\n      priority: 3\n      delegate: fill-first\n");
  // Named like a versioned release: the id is still `scheduler`.
  std::string plugin = CopyPlugin(CLIPROXY_SCHEDULER_SO, dir_, "scheduler-v0.1.0.so");
  ToolRun run = Pick({"pick", plugin, "--config", config, "--request", request_path});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run, "plugin: scheduler (" + plugin + "), priority 3, active")) << run.out;
  EXPECT_TRUE(Has(run, "decision: plugin-delegate"));
  EXPECT_TRUE(Has(run, "built-in: fill-first -> " + first)) << run.out;
}

TEST_F(CpaSchedTest, MissingPluginExitsTwoNamingTheFile) {
  std::string missing = dir_.File("absent.so");
  ToolRun run = Pick({"pick", missing, "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(missing), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(CpaSchedTest, RejectedConfigurationExitsTwo) {
  // fail_open: a bad configuration is refused (without it, see
  // BadConfigurationIsLoggedExplainedAndFailsThePickClosed).
  ToolRun run =
      Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", Config("fail_open: true\ndeny: 1\n")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("plugin scheduler plugin.register failed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(CLIPROXY_SCHEDULER_SO), std::string::npos) << run.err;
}

// Issue 10: scheduler.so answers a bad first configuration ok (the host would otherwise
// route over every account) and fails every pick closed; pick shows why.
TEST_F(CpaSchedTest, BadConfigurationIsLoggedExplainedAndFailsThePickClosed) {
  ToolRun run =
      Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", Config("deny: 1\n"), "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(Has(
      run, std::string("plugin: scheduler (") + CLIPROXY_SCHEDULER_SO + "), priority 0, active"))
      << run.out;
  EXPECT_TRUE(Has(run,
                  "config: rejected, not in force: invalid configuration: deny: line 1, column "
                  "7: expected a boolean (true/false, yes/no, on/off), got `1`"))
      << run.out;
  EXPECT_TRUE(Has(run, "rule: config")) << run.out;
  EXPECT_TRUE(Has(run,
                  "error: scheduler_config_invalid: scheduler configuration is invalid at line "
                  "1, column 7: expected a boolean (true/false, yes/no, on/off), got `...` "
                  "(http 503)"))
      << run.out;
  EXPECT_TRUE(std::any_of(run.lines.begin(), run.lines.end(), [](const std::string& l) {
    return l.rfind("log: error [plugin] scheduler: invalid configuration: deny: line 1, column 7",
                   0) == 0 &&
           l.find("key=deny") != std::string::npos && l.find("line=1") != std::string::npos &&
           l.find("column=7") != std::string::npos;
  })) << run.out;
}

TEST_F(CpaSchedTest, ConfigWithoutThePluginsEntryExitsTwo) {
  std::string config = Config("plugins:\n  configs:\n    other: {}\n");
  ToolRun run = Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", config});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(config + ": no plugins.configs.scheduler"), std::string::npos) << run.err;
}

TEST_F(CpaSchedTest, ConfigThatIsNotYamlExitsTwoNamingFileAndLine) {
  std::string config = Config("auth_id: a\nroutes: [\n");
  ToolRun run = Pick({"pick", CLIPROXY_SCHEDULER_SO, "--config", config, "--candidate", "a"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err.rfind("cpa-sched pick: " + config + ":3:1: not valid YAML: ", 0), 0u)
      << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(CpaSchedTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Pick({"pick"}).exit_code, 2);
  EXPECT_EQ(Pick({"pick", CLIPROXY_SCHEDULER_SO, "--request", "x.json", "--model", "m"}).exit_code,
            2);
  EXPECT_EQ(Pick({"pick", CLIPROXY_SCHEDULER_SO, "--strategy", "random"}).exit_code, 2);
  EXPECT_EQ(Pick({"pick", CLIPROXY_SCHEDULER_SO, "--header", "no-colon"}).exit_code, 2);
  ToolRun bad_request = Pick({"pick", CLIPROXY_SCHEDULER_SO, "--request", Config("{\"Model\":1}")});
  EXPECT_EQ(bad_request.exit_code, 2);
  EXPECT_NE(bad_request.err.find("not a scheduler.pick request"), std::string::npos);
}

TEST_F(CpaSchedTest, HelpHasAnExample) {
  ToolRun run = Pick({"pick", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Example:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cpa-sched pick ./scheduler.so"), std::string::npos);
}

}  // namespace

// cpa-sched check, run as a program: on scheduler.so (every check passes), on plugins that
// crash, hang, print or answer wrongly (each failure reported with its reason, the checker
// survives), and its usage errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "host_test_support.hpp"

namespace {

using cpa_sched::testing::ToolRun;

const std::vector<std::string>& kChecks = cpa_sched::testing::kCheckNames;
using Row = cpa_sched::testing::CheckRow;
using cpa_sched::testing::CheckRowOf;
using cpa_sched::testing::kNoUsagePlugin;
using cpa_sched::testing::kUsageCheck;

class CheckTest : public cpa_sched::testing::ToolTest {
 protected:
  ToolRun Check(const std::string& plugin, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"check", plugin};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool(args);
  }
  static bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(CheckTest, SchedulerSoPassesEveryCheckAndSkipsUsageWithoutAUsageRoute) {
  // No least-used or fastest route: scheduler.so does not declare usage_plugin.
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const std::string& check : kChecks) {
    if (check == kUsageCheck) continue;
    Row row = CheckRowOf(run, check);
    EXPECT_EQ(row.result, "PASS") << check << ": " << row.detail << "\n" << run.out;
  }
  Row usage = CheckRowOf(run, kUsageCheck);
  EXPECT_EQ(usage.result, "SKIP") << usage.detail;
  EXPECT_EQ(usage.detail, kNoUsagePlugin);
  EXPECT_EQ(run.Line("12 checks:"), "12 checks: 11 passed, 0 failed, 1 skipped") << run.out;
  std::string registration = CheckRowOf(run, "registration").detail;
  EXPECT_TRUE(Contains(registration, "capabilities scheduler")) << registration;
  EXPECT_FALSE(Contains(registration, "usage_plugin")) << registration;
  EXPECT_EQ(run.err, "");
}

// What the usage probe reports when it passes.
struct UsageCounts {
  int edges = -1, edges_ok = -1, edges_error = -1, malformed = -1;
  long records = -1, picks = -1;
  int threads = -1;
};

bool ParseUsage(const std::string& detail, UsageCounts* c) {
  return std::sscanf(detail.c_str(),
                     "a well-formed record ok; %d edge records: %d ok, %d error; %d malformed "
                     "bodies: error envelopes (invalid_request); %ld records racing %ld picks "
                     "on %d threads: every reply valid",
                     &c->edges, &c->edges_ok, &c->edges_error, &c->malformed, &c->records,
                     &c->picks, &c->threads) == 7;
}

TEST_F(CheckTest, SchedulerSoWithALeastUsedRouteAnswersUsageAndPasses) {
  std::string config = Config(
      "routes:\n"
      "  - name: codex-least-used\n"
      "    when:\n"
      "      providers: [codex]\n"
      "    strategy: least-used\n"
      "    usage:\n"
      "      measure: tokens\n"
      "      window: 1h\n");
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", config});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const std::string& check : kChecks) {
    Row row = CheckRowOf(run, check);
    EXPECT_EQ(row.result, "PASS") << check << ": " << row.detail << "\n" << run.out;
  }
  EXPECT_EQ(run.Line("12 checks:"), "12 checks: 12 passed, 0 failed, 0 skipped") << run.out;
  EXPECT_TRUE(
      Contains(CheckRowOf(run, "registration").detail, "capabilities scheduler,usage_plugin"))
      << CheckRowOf(run, "registration").detail;
  Row usage = CheckRowOf(run, kUsageCheck);
  UsageCounts counts;
  ASSERT_TRUE(ParseUsage(usage.detail, &counts)) << usage.detail;
  EXPECT_EQ(counts.edges, 6);
  EXPECT_EQ(counts.edges_ok + counts.edges_error, counts.edges) << usage.detail;
  EXPECT_EQ(counts.malformed, 10);
  // Both kinds of call ran at once, on two threads each.
  EXPECT_GT(counts.records, 0) << usage.detail;
  EXPECT_GT(counts.picks, 0) << usage.detail;
  EXPECT_EQ(counts.threads, 4);
}

TEST_F(CheckTest, SchedulerSoWithAFastestRoutePassesTheUsageCheck) {
  std::string config = Config(
      "routes:\n  - name: fastest\n    strategy: fastest\n    latency:\n"
      "      measure: ttft\n");
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", config});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  Row usage = CheckRowOf(run, kUsageCheck);
  EXPECT_EQ(usage.result, "PASS") << usage.detail;
  UsageCounts counts;
  EXPECT_TRUE(ParseUsage(usage.detail, &counts)) << usage.detail;
}

TEST_F(CheckTest, PluginThatCrashesOnAnEmptyUsageRecordFailsNamingTheRecord) {
  ToolRun run = Check(CLIPROXY_FIXTURE_CRASH_ON_USAGE);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(Contains(CheckRowOf(run, "registration").detail, "usage_plugin"))
      << CheckRowOf(run, "registration").detail;
  EXPECT_EQ(CheckRowOf(run, "pick-replies").result, "PASS");
  Row usage = CheckRowOf(run, kUsageCheck);
  EXPECT_EQ(usage.result, "FAIL");
  // The well-formed record and the ones with nulls, a failure and unknown keys went through.
  EXPECT_EQ(usage.detail, "crashed with SIGSEGV during usage.handle with an empty record {}");
  EXPECT_EQ(CheckRowOf(run, "shutdown").result, "PASS");
}

TEST_F(CheckTest, UsageReplyThatIsNotAnEnvelopeFails) {
  ToolRun garbage = Check(CLIPROXY_FIXTURE_SCRIPTED,
                          {"--config", Config("capabilities: scheduler usage_plugin\n"
                                              "usage_reply: thanks for the record\n")});
  EXPECT_EQ(garbage.exit_code, 1);
  Row row = CheckRowOf(garbage, kUsageCheck);
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "a well-formed record: not JSON (")) << row.detail;
  EXPECT_TRUE(Contains(row.detail, "thanks for the record")) << row.detail;
  EXPECT_EQ(CheckRowOf(garbage, "pick-replies").result, "PASS");

  ToolRun rc = Check(CLIPROXY_FIXTURE_SCRIPTED,
                     {"--config", Config("capabilities: scheduler usage_plugin\nusage_rc: 1\n")});
  EXPECT_EQ(CheckRowOf(rc, kUsageCheck).detail,
            "a well-formed record: return code 1 with ok:true (the host treats a non-zero code "
            "without an error envelope as a failed call)");

  ToolRun refused =
      Check(CLIPROXY_FIXTURE_SCRIPTED,
            {"--config", Config("capabilities: usage_plugin\nusage_reply: {\"ok\":false,"
                                "\"error\":{\"code\":\"busy\",\"message\":\"later\"}}\n")});
  EXPECT_EQ(CheckRowOf(refused, kUsageCheck).detail,
            "a well-formed record: answered with an error envelope (busy: later), want ok");
}

TEST_F(CheckTest, UsagePluginThatAcceptsAnyBodyFailsOnMalformedRecords) {
  // The scripted fixture answers every usage.handle ok, "Latency":"1s" and all.
  ToolRun run =
      Check(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("capabilities: usage_plugin\n")});
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, kUsageCheck);
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_EQ(row.detail,
            "an empty body: answered ok:true (want an error envelope): {\"ok\":true,\"result\":{}} "
            "(and 9 more)");
}

TEST_F(CheckTest, SchedulerSoWithAPinnedAuthAnswersWithAuthsAndPasses) {
  // A CLIProxyAPI config: plugins.configs.scheduler is what the plugin receives.
  std::string config = Config(
      "plugins:\n  enabled: true\n  configs:\n    scheduler:\n      enabled: true\n"
      "      auth_id: codex-user0@example.com.json\n");
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", config});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  Row picks = CheckRowOf(run, "pick-replies");
  EXPECT_EQ(picks.result, "PASS") << picks.detail;
  EXPECT_FALSE(Contains(picks.detail, " 0 auth")) << picks.detail;
  EXPECT_TRUE(Contains(run.out, "(config: " + config)) << run.out;
}

TEST_F(CheckTest, DenyingSchedulerStillConforms) {
  // An error envelope is a valid pick reply: the pick fails, as configured.
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", Config("deny: true\n")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(Contains(CheckRowOf(run, "pick-replies").detail, "24 error envelopes"))
      << CheckRowOf(run, "pick-replies").detail;
}

TEST_F(CheckTest, PluginThatSegfaultsOnPickFailsWithTheSignal) {
  ToolRun run = Check(CLIPROXY_FIXTURE_CRASH_ON_PICK);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(CheckRowOf(run, "abi").result, "PASS");
  EXPECT_EQ(CheckRowOf(run, "registration").result, "PASS");
  for (const char* check : {"pick-replies", "malformed-pick", "concurrency"}) {
    Row row = CheckRowOf(run, check);
    EXPECT_EQ(row.result, "FAIL") << check;
    EXPECT_TRUE(Contains(row.detail, "crashed with SIGSEGV during")) << check << ": " << row.detail;
  }
  EXPECT_TRUE(Contains(CheckRowOf(run, "pick-replies").detail,
                       "during scheduler.pick with 10 Codex candidates"))
      << CheckRowOf(run, "pick-replies").detail;
  // The checker itself survived every crash and finished the table.
  EXPECT_EQ(CheckRowOf(run, "shutdown").result, "FAIL");  // it picks before shutting down
  EXPECT_EQ(CheckRowOf(run, "unknown-method").result, "PASS");
  EXPECT_TRUE(Contains(run.Line("12 checks:"), "failed")) << run.out;
}

TEST_F(CheckTest, PluginThatTrustsItsInputFailsOnlyOnMalformedPicks) {
  ToolRun run = Check(CLIPROXY_FIXTURE_CRASH_ON_MALFORMED);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_EQ(CheckRowOf(run, "pick-replies").result, "PASS")
      << CheckRowOf(run, "pick-replies").detail;
  EXPECT_EQ(CheckRowOf(run, "concurrency").result, "PASS") << CheckRowOf(run, "concurrency").detail;
  Row malformed = CheckRowOf(run, "malformed-pick");
  EXPECT_EQ(malformed.result, "FAIL");
  EXPECT_EQ(malformed.detail, "crashed with SIGSEGV during scheduler.pick with an empty body");
}

TEST_F(CheckTest, AbortDuringReconfigureFailsRegistrationAndSkipsWhatNeedsIt) {
  ToolRun run = Check(CLIPROXY_FIXTURE_ABORT_ON_RECONFIGURE);
  EXPECT_EQ(run.exit_code, 1);
  Row registration = CheckRowOf(run, "registration");
  EXPECT_EQ(registration.result, "FAIL");
  EXPECT_EQ(registration.detail, "crashed with SIGABRT during plugin.reconfigure");
  for (const char* check :
       {"config-fields", "pick-replies", "malformed-pick", "concurrency", "usage"}) {
    EXPECT_EQ(CheckRowOf(run, check).result, "SKIP") << check;
    EXPECT_EQ(CheckRowOf(run, check).detail, "the registration failed") << check;
  }
  EXPECT_EQ(CheckRowOf(run, "malformed-register").detail,
            "crashed with SIGABRT during plugin.reconfigure with truncated JSON");
}

TEST_F(CheckTest, HungPluginFailsTheProbeAfterTheTimeout) {
  ToolRun run = Check(CLIPROXY_FIXTURE_HANG_ON_UNKNOWN, {"--timeout", "0.5"});
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, "unknown-method");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_EQ(row.detail,
            "timed out after 0.5 s (the plugin hung; killed) during call the unknown method "
            "cpa_sched.no_such_method");
  EXPECT_EQ(CheckRowOf(run, "pick-replies").result, "PASS");
}

TEST_F(CheckTest, PluginThatPrintsToStdoutFailsAndDoesNotReachOurOutput) {
  ToolRun run = Check(CLIPROXY_FIXTURE_PRINT_ON_PICK);
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, "pick-replies");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "the plugin wrote to stdout inside a call")) << row.detail;
  EXPECT_TRUE(Contains(row.detail, "crashing plugin: pick")) << row.detail;
  for (const std::string& line : run.lines) EXPECT_NE(line, "crashing plugin: pick");
}

TEST_F(CheckTest, ReplyThatNamesNoCandidateFails) {
  ToolRun run = Check(CLIPROXY_FIXTURE_SCRIPTED,
                      {"--config", Config("pick_reply: {\"ok\":true,\"result\":{\"AuthID\":"
                                          "\"nobody\",\"DelegateBuiltin\":\"\",\"Handled\":true}}"
                                          "\n")});
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, "pick-replies");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "Handled:true but unknown auth id (AuthID \"nobody\""))
      << row.detail;
}

TEST_F(CheckTest, ReplyWithAKeyInTheWrongCaseFails) {
  ToolRun run = Check(CLIPROXY_FIXTURE_SCRIPTED,
                      {"--config", Config("pick_reply: {\"ok\":true,\"result\":{\"authid\":\"\","
                                          "\"DelegateBuiltin\":\"\",\"Handled\":false}}\n")});
  Row row = CheckRowOf(run, "pick-replies");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "`AuthID` is missing (`authid` is there")) << row.detail;
}

TEST_F(CheckTest, ReplyWithADelegateTheHostDoesNotKnowFails) {
  ToolRun run = Check(CLIPROXY_FIXTURE_SCRIPTED,
                      {"--config", Config("pick_reply: {\"ok\":true,\"result\":{\"AuthID\":\"\","
                                          "\"DelegateBuiltin\":\"weighted-round-robin\","
                                          "\"Handled\":true}}\n")});
  Row row = CheckRowOf(run, "pick-replies");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "Handled:true but unknown delegate")) << row.detail;
}

TEST_F(CheckTest, IncompleteMetadataAndTooNewSchemaFailRegistration) {
  ToolRun author = Check(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("author: \"  \"\n")});
  EXPECT_EQ(CheckRowOf(author, "registration").detail,
            "plugin.register: metadata Author empty (CLIProxyAPI requires Name, Version, Author "
            "and GitHubRepository)");
  ToolRun schema = Check(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("schema_version: 7\n")});
  EXPECT_TRUE(
      Contains(CheckRowOf(schema, "registration").detail, "schema_version 7 is outside 0..6"))
      << CheckRowOf(schema, "registration").detail;
  ToolRun none = Check(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("capabilities: \"\"\n")});
  EXPECT_TRUE(Contains(CheckRowOf(none, "registration").detail, "no capability is set"))
      << CheckRowOf(none, "registration").detail;
}

TEST_F(CheckTest, RegistrationListsEveryCapabilityAndJudgesTheirKinds) {
  ToolRun executor =
      Check(CLIPROXY_FIXTURE_SCRIPTED,
            {"--config",
             Config("register_reply: {\"ok\":true,\"result\":{\"metadata\":{\"Name\":\"x\","
                    "\"Version\":\"1\",\"Author\":\"a\",\"GitHubRepository\":\"r\"},"
                    "\"capabilities\":{\"model_router\":true,\"executor\":true,"
                    "\"executor_model_scope\":\"oauth\",\"executor_input_formats\":[\"openai\","
                    "\"claude\"],\"quota_provider\":false}}}\n")});
  EXPECT_EQ(CheckRowOf(executor, "registration").result, "PASS") << executor.out;
  EXPECT_EQ(CheckRowOf(executor, "registration").detail,
            "x 1 by a, schema 0, capabilities model_router,executor,executor_model_scope=oauth,"
            "executor_input_formats=[openai claude]");

  ToolRun across = Check(CLIPROXY_FIXTURE_SCRIPTED,
                         {"--config", Config("capabilities: scheduler_across_priorities\n")});
  EXPECT_TRUE(Contains(CheckRowOf(across, "registration").detail, "no capability is set"))
      << CheckRowOf(across, "registration").detail;

  ToolRun wrong_kind =
      Check(CLIPROXY_FIXTURE_SCRIPTED,
            {"--config", Config("register_reply: {\"ok\":true,\"result\":{\"metadata\":{},"
                                "\"capabilities\":{\"scheduler\":true,\"executor_input_formats\":"
                                "\"openai\"}}}\n")});
  EXPECT_EQ(CheckRowOf(wrong_kind, "registration").detail,
            "plugin.register: `executor_input_formats` is not an array of strings");

  ToolRun other_case =
      Check(CLIPROXY_FIXTURE_SCRIPTED,
            {"--config", Config("register_reply: {\"ok\":true,\"result\":{\"metadata\":{},"
                                "\"capabilities\":{\"Model_Router\":true}}}\n")});
  EXPECT_EQ(CheckRowOf(other_case, "registration").detail,
            "plugin.register: capability `Model_Router`: Go would accept it, but the contract "
            "spells it `model_router`");
}

TEST_F(CheckTest, UsagePluginWithoutSchedulerSkipsThePickChecks) {
  ToolRun run =
      Check(CLIPROXY_FIXTURE_SCRIPTED, {"--config", Config("capabilities: usage_plugin\n")});
  EXPECT_EQ(CheckRowOf(run, "registration").result, "PASS");
  EXPECT_EQ(CheckRowOf(run, "pick-replies").result, "SKIP");
  EXPECT_EQ(CheckRowOf(run, "pick-replies").detail,
            "the plugin does not declare the scheduler capability");
}

TEST_F(CheckTest, BrokenHandshakesAreNamed) {
  struct Case {
    const char* plugin;
    const char* detail;
  };
  for (const Case& c :
       {Case{CLIPROXY_FIXTURE_ABI_V2, "abi_version is 2, want 1"},
        Case{CLIPROXY_FIXTURE_INIT_FAILS, "cliproxy_plugin_init returned 3"},
        Case{CLIPROXY_FIXTURE_NO_FREE, "function table incomplete: free_buffer is NULL"},
        Case{CLIPROXY_FIXTURE_NO_INIT, "no exported symbol cliproxy_plugin_init"}}) {
    ToolRun run = Check(c.plugin);
    EXPECT_EQ(run.exit_code, 1) << c.plugin;
    EXPECT_EQ(CheckRowOf(run, "abi").detail, c.detail) << c.plugin;
    EXPECT_EQ(CheckRowOf(run, "registration").detail, "the plugin does not load");
  }
  ToolRun unresolved = Check(CLIPROXY_FIXTURE_UNRESOLVED);
  EXPECT_TRUE(Contains(CheckRowOf(unresolved, "abi").detail, "dlopen failed:"))
      << CheckRowOf(unresolved, "abi").detail;
  EXPECT_TRUE(Contains(CheckRowOf(unresolved, "abi").detail, "cliproxy_fixture_missing_function"));
}

TEST_F(CheckTest, UnreadableFilesExitTwoNamingTheFile) {
  std::string missing = dir_.File("absent.so");
  ToolRun run = Check(missing);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "cpa-sched check: cannot read plugin " + missing + ": No such file or directory\n");
  EXPECT_EQ(run.out, "");

  std::string bad = Config("deny: true\nroutes: [\n  - name: a\n");
  ToolRun yaml = Check(CLIPROXY_SCHEDULER_SO, {"--config", bad});
  EXPECT_EQ(yaml.exit_code, 2);
  EXPECT_TRUE(Contains(yaml.err, bad + ":")) << yaml.err;
  EXPECT_TRUE(Contains(yaml.err, "not valid YAML")) << yaml.err;

  ToolRun no_config = Check(CLIPROXY_SCHEDULER_SO, {"--config", dir_.File("nope.yaml")});
  EXPECT_EQ(no_config.exit_code, 2);
  EXPECT_TRUE(Contains(no_config.err, dir_.File("nope.yaml"))) << no_config.err;
}

TEST_F(CheckTest, RejectedConfigurationFailsRegistrationWithThePluginsReason) {
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", Config("fail_open: true\ndeny: 1\n")});
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, "registration");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail, "plugin.register: the registration was refused: invalid_config"))
      << row.detail;
}

// Issue 10: scheduler.so answers a bad configuration ok (so that CLIProxyAPI keeps it);
// check still tells the operator the configuration is not in use.
TEST_F(CheckTest, ConfigurationAnsweredOkButRejectedFailsRegistration) {
  ToolRun run = Check(CLIPROXY_SCHEDULER_SO, {"--config", Config("deny: 1\n")});
  EXPECT_EQ(run.exit_code, 1);
  Row row = CheckRowOf(run, "registration");
  EXPECT_EQ(row.result, "FAIL");
  EXPECT_TRUE(Contains(row.detail,
                       "the plugin answered ok but does not use the configuration (invalid "
                       "configuration: deny: line 1, column 7"))
      << row.detail;
}

TEST_F(CheckTest, HelpHasAnExample) {
  ToolRun run = RunTool({"check", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(Contains(run.out, "Example:")) << run.out;
  EXPECT_TRUE(Contains(run.out, "cpa-sched check ./scheduler.so")) << run.out;
  EXPECT_TRUE(Contains(run.out, "concurrency, usage")) << run.out;
}

}  // namespace

// The real scheduler.so through the host: the reference keys behave as CLIProxyAPI's
// reference plugin does, and the host treats its replies as CLIProxyAPI would.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

using testing::MakeCandidate;
using testing::MakeRequest;

class SchedulerSoTest : public ::testing::Test {
 protected:
  Status Load(const std::string& yaml) {
    PluginSettings settings;
    settings.priority = 1;
    settings.config_yaml = "enabled: true\npriority: 1\n" + yaml;
    return host_.Load("scheduler", CLIPROXY_SCHEDULER_SO, settings);
  }
  Status Reconfigure(const std::string& yaml) {
    PluginSettings settings;
    settings.priority = 1;
    settings.config_yaml = "enabled: true\npriority: 1\n" + yaml;
    return host_.Reconfigure("scheduler", settings);
  }
  static PickRequest Request() {
    return MakeRequest({MakeCandidate("codex-b.json"), MakeCandidate("codex-a.json"),
                        MakeCandidate("codex-c.json")});
  }

  PluginHost host_;
};

TEST_F(SchedulerSoTest, RegistersAsAScheduler) {
  ASSERT_TRUE(Load("").ok());
  std::optional<PluginInfo> info = host_.Info("scheduler");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->state, PluginState::kActive);
  EXPECT_EQ(info->registration.metadata.name, "scheduler");
  EXPECT_EQ(info->registration.metadata.version, CLIPROXY_PROJECT_VERSION);
  EXPECT_TRUE(info->registration.capabilities.scheduler);
  EXPECT_LE(info->schema_version, kHostSchemaVersion);
}

TEST_F(SchedulerSoTest, EmptyConfigLeavesPicksUnhandled) {
  ASSERT_TRUE(Load("").ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kUnhandled);
  EXPECT_EQ(outcome.reply.body,
            R"({"ok":true,"result":{"AuthID":"","DelegateBuiltin":"","Handled":false}})");
  EXPECT_EQ(outcome.auth_id, "codex-a.json");
}

TEST_F(SchedulerSoTest, AuthIdAmongTheCandidatesIsPicked) {
  ASSERT_TRUE(Load("auth_id: codex-c.json\n").ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.auth_id, "codex-c.json");
}

TEST_F(SchedulerSoTest, AuthIdNotAmongTheCandidatesIsUnhandled) {
  ASSERT_TRUE(Load("auth_id: codex-z.json\n").ok());
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kUnhandled);
}

TEST_F(SchedulerSoTest, DelegateRunsTheHostsBuiltin) {
  ASSERT_TRUE(Load("delegate: round-robin\n").ok());
  std::vector<std::string> picks;
  for (int i = 0; i < 4; ++i) {
    PickOutcome outcome = host_.Pick(Request());
    EXPECT_EQ(outcome.decision, PickDecision::kPluginDelegate);
    EXPECT_EQ(outcome.builtin, BuiltinStrategy::kRoundRobin);
    picks.push_back(outcome.auth_id);
  }
  EXPECT_EQ(picks, (std::vector<std::string>{"codex-a.json", "codex-b.json", "codex-c.json",
                                             "codex-a.json"}));
}

TEST_F(SchedulerSoTest, DenyFailsThePick) {
  ASSERT_TRUE(Load("deny: true\n").ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kError);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, "scheduler_denied");
  EXPECT_EQ(outcome.reply.rc, 0);
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kActive);
}

// Issue 10. CLIProxyAPI drops a plugin whose reconfigure fails from its active set and
// routes with its built-in over every account (this host does the same, see
// FailOpenRefusesABadConfigSoTheHostRoutesWithItsBuiltin): one typo would turn tenant pools
// off. A bad configuration is answered ok and the last good one stays in force.
TEST_F(SchedulerSoTest, ABadReconfigureIsLoggedAndChangesNoRouting) {
  ASSERT_TRUE(Load("auth_id: codex-c.json\n").ok());
  Status answered = Reconfigure("deny: 1\n");
  ASSERT_TRUE(answered.ok()) << answered.message();
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kActive);
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.auth_id, "codex-c.json");

  // The rejection reaches the host log at error level, with the key and its position
  // (lines 1-2 are the host's enabled/priority).
  std::vector<LogEntry> errors;
  for (const LogEntry& e : host_.Logs()) {
    if (e.from_plugin && e.level == LogLevel::kError) errors.push_back(e);
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("invalid configuration: deny: line 3, column 7: expected a "
                                   "boolean"),
            std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("the last good configuration stays in force"), std::string::npos)
      << errors[0].message;
  ASSERT_NE(errors[0].fields.Find("key"), nullptr);
  EXPECT_EQ(*errors[0].fields.Find("key"), "deny");
  EXPECT_EQ(*errors[0].fields.Find("line"), "3");
  EXPECT_EQ(*errors[0].fields.Find("column"), "7");

  ASSERT_TRUE(Reconfigure("auth_id: codex-b.json\n").ok());
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-b.json");
}

TEST_F(SchedulerSoTest, StartedWithABadConfigItFailsEveryPickClosedWith503) {
  Status loaded = Load("routes:\n  - name: acme\n    strategy: stcky\n");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kActive);
  for (int i = 0; i < 2; ++i) {
    PickOutcome outcome = host_.Pick(Request());
    EXPECT_EQ(outcome.decision, PickDecision::kError);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->code, "scheduler_config_invalid");
    EXPECT_EQ(outcome.error->http_status, 503);
    // Where and what, without the value the operator wrote.
    EXPECT_EQ(outcome.error->message,
              "scheduler configuration is invalid at line 5, column 15: unknown strategy "
              "\"...\" (known: order, fill-first, round-robin, weighted, sticky, least-used, "
              "fastest, headroom, delegate, deny, pass)");
    EXPECT_TRUE(outcome.auth_id.empty());
  }
  ASSERT_TRUE(Reconfigure("auth_id: codex-b.json\n").ok());
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-b.json");
}

TEST_F(SchedulerSoTest, FailOpenRefusesABadConfigSoTheHostRoutesWithItsBuiltin) {
  // At start: refused, inactive, the host's own strategy picks (the behaviour before issue 10).
  EXPECT_FALSE(Load("fail_open: true\ndeny: 1\n").ok());
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kInactive);
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  ASSERT_TRUE(Reconfigure("fail_open: true\nauth_id: codex-b.json\n").ok());
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-b.json");
  // YAML that does not parse has no fail_open of its own: the last good one's counts.
  EXPECT_FALSE(Reconfigure("auth_id: [\n").ok());
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kInactive);
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  // fail_open: false in the bad configuration itself wins over the last good one's.
  ASSERT_TRUE(Reconfigure("fail_open: true\nauth_id: codex-c.json\n").ok());
  ASSERT_TRUE(Reconfigure("fail_open: false\ndeny: 1\n").ok());
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-c.json");
}

TEST_F(SchedulerSoTest, PicksFromARecordedHostRequest) {
  PickRequest request;
  ASSERT_TRUE(json::DecodePickRequest(test_support::ReadTestData("pick-10.json"), &request,
                                      json::PickFields::All())
                  .ok());
  ASSERT_EQ(request.candidates.size(), 10u);
  const std::string wanted = request.candidates[6].id;
  ASSERT_TRUE(Load("auth_id: " + wanted + "\n").ok());
  PickOutcome outcome = host_.Pick(request);
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.auth_id, wanted);
}

TEST_F(SchedulerSoTest, UnloadShutsItDown) {
  ASSERT_TRUE(Load("").ok());
  ASSERT_TRUE(host_.Unload("scheduler").ok());
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  // A fresh instance loads from the same file.
  ASSERT_TRUE(Load("auth_id: codex-b.json\n").ok());
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-b.json");
}

TEST_F(SchedulerSoTest, AsksForEveryTierOnlyWhenConfiguredTo) {
  ASSERT_TRUE(Load("auth_id: codex-a.json\n").ok());
  EXPECT_FALSE(host_.SchedulerWantsAcrossPriorities());
  ASSERT_TRUE(Reconfigure("across_priorities: true\n").ok());
  EXPECT_TRUE(host_.SchedulerWantsAcrossPriorities());
  // A rejected configuration keeps the registration in force (issue 10)...
  EXPECT_TRUE(Reconfigure("across_priorities: maybe\n").ok());
  EXPECT_TRUE(host_.SchedulerWantsAcrossPriorities());
  // ... unless it says fail_open: then the plugin is inactive, with nothing to ask for.
  EXPECT_FALSE(Reconfigure("fail_open: true\nacross_priorities: maybe\n").ok());
  EXPECT_FALSE(host_.SchedulerWantsAcrossPriorities());
  ASSERT_TRUE(Reconfigure("across_priorities: false\n").ok());
  EXPECT_FALSE(host_.SchedulerWantsAcrossPriorities());
}

TEST_F(SchedulerSoTest, DeclaresUsagePluginOnlyForUsageRoutesAndReceivesRecords) {
  ASSERT_TRUE(Load("").ok());
  UsageRecord record;
  record.auth_id = "codex-a.json";
  record.requested_at = "2025-06-02T09:00:00Z";
  record.detail.total_tokens = 5000;
  EXPECT_EQ(host_.DeliverUsage(record), 0u);
  ASSERT_TRUE(Reconfigure("routes:\n  - name: spread\n    strategy: least-used\n").ok());
  EXPECT_EQ(host_.DeliverUsage(record), 1u);
  // codex-a.json has used 5000 tokens; the others none: ID order among them.
  EXPECT_EQ(host_.Pick(Request()).auth_id, "codex-b.json");
}

// A least-used route whose account table is full (24,576 accounts with usage in the
// window) does not pick an account it cannot track, and says so once in the host's log.
TEST_F(SchedulerSoTest, AFullUsageTableIsLoggedOnceThroughHostLog) {
  ASSERT_TRUE(Load("routes:\n  - name: budget\n    strategy: least-used\n").ok());
  UsageRecord record;
  for (int i = 0; i < 24'576; ++i) {
    record.auth_id = "filler-" + std::to_string(i);
    ASSERT_EQ(host_.DeliverUsage(record), 1u);
  }
  PickRequest request = MakeRequest({MakeCandidate("aaa-new"), MakeCandidate("filler-1")});
  for (int i = 0; i < 3; ++i) {
    PickOutcome outcome = host_.Pick(request);
    EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
    EXPECT_EQ(outcome.auth_id, "filler-1");
  }
  int warnings = 0;
  for (const LogEntry& entry : host_.Logs()) {
    if (entry.message.find("scheduler: route \"budget\" (least-used)") == std::string::npos) {
      continue;
    }
    ++warnings;
    EXPECT_EQ(entry.level, LogLevel::kWarn);
    EXPECT_EQ(entry.plugin_id, "scheduler");
  }
  EXPECT_EQ(warnings, 1);
}

// The captured v7.1.57 pick has no caller_scope (testdata/real/): routes on it never match
// there. The plugin says so once, in the host log, by key names only; nothing it logs
// while serving the captured bodies carries a client key, an upstream key or a header.
TEST_F(SchedulerSoTest, OnV7_1_57TheMissingCallerScopeIsLoggedOnceByKeyNamesOnly) {
  ASSERT_TRUE(Load("routes:\n"
                   "  - name: tenant-a\n"
                   "    when: {metadata: {caller_scope: \"8b11f985*\"}}\n"
                   "  - name: spread\n"
                   "    strategy: least-used\n")
                  .ok());
  PickRequest old_host;
  ASSERT_TRUE(json::DecodePickRequest(test_support::ReadTestData("real/pick-3-v7.1.57.json"),
                                      &old_host, json::PickFields::All())
                  .ok());
  for (const char* name : {"usage-stream.json", "usage-nonstream.json"}) {
    UsageRecord record;
    ASSERT_TRUE(
        json::DecodeUsageRecord(test_support::ReadTestData(std::string("real/") + name), &record)
            .ok());
    EXPECT_EQ(host_.DeliverUsage(record), 1u);
  }
  for (int i = 0; i < 3 * 10; ++i) EXPECT_TRUE(host_.Pick(old_host).ok());
  EXPECT_TRUE(Reconfigure("deny: 1\n").ok());  // a rejected configuration is logged too

  std::vector<LogEntry> watch;
  for (const LogEntry& e : host_.Logs()) {
    for (const char* secret : {"client-a", "Bearer", "sk-up-", "127.0.0.1"}) {
      EXPECT_EQ(e.message.find(secret), std::string::npos) << e.message;
      for (const auto& [key, value] : e.fields) {
        EXPECT_EQ(value.find(secret), std::string::npos) << key << "=" << value;
      }
    }
    if (e.from_plugin && e.message.find("metadata key caller_scope") != std::string::npos) {
      watch.push_back(e);
    }
  }
  ASSERT_EQ(watch.size(), 1u);
  EXPECT_EQ(watch[0].level, LogLevel::kError);
  EXPECT_EQ(*watch[0].fields.Find("missing_keys"), "caller_scope");
  EXPECT_EQ(*watch[0].fields.Find("sent_keys"), "request_path,requested_model,service_tier");
}

}  // namespace
}  // namespace cliproxy::host

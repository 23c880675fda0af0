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

TEST_F(SchedulerSoTest, RejectedReconfigureMakesItInactiveUntilAValidOne) {
  ASSERT_TRUE(Load("auth_id: codex-c.json\n").ok());
  Status rejected = Reconfigure("deny: 1\n");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.message().rfind("plugin scheduler plugin.reconfigure failed: ", 0), 0u)
      << rejected.message();
  EXPECT_EQ(host_.Info("scheduler")->state, PluginState::kInactive);
  EXPECT_EQ(host_.Pick(Request()).decision, PickDecision::kNoScheduler);
  ASSERT_TRUE(Reconfigure("auth_id: codex-b.json\n").ok());
  PickOutcome outcome = host_.Pick(Request());
  EXPECT_EQ(outcome.decision, PickDecision::kPluginAuth);
  EXPECT_EQ(outcome.auth_id, "codex-b.json");
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
  // A failed reconfigure leaves the plugin inactive: no scheduler, nothing to ask for.
  EXPECT_FALSE(Reconfigure("across_priorities: maybe\n").ok());
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

}  // namespace
}  // namespace cliproxy::host

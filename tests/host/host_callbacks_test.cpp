// The host's answers to plugin callbacks: host.log recorded and acknowledged, everything
// else refused with an error envelope. Driven by the C fixture's probe during register.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

using testing::CopyPlugin;
using testing::LinesStartingWith;
using testing::ReadLines;
using testing::Script;
using testing::TempDir;

class HostCallbacksTest : public ::testing::Test {
 protected:
  // Registers the fixture, which sends host.log with `log_body` (the fixture's default
  // when empty) and then host.nope; returns the fixture's record of both replies.
  std::vector<std::string> Probe(const std::string& log_body = "") {
    std::string config = Script({{"marker", dir_.File("marker")}, {"probe_callbacks", "true"}});
    if (!log_body.empty()) config += Script({{"log_body", log_body}});
    PluginSettings settings;
    settings.config_yaml = config;
    EXPECT_TRUE(
        host_.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir_, "p.so"), settings).ok());
    return LinesStartingWith(ReadLines(dir_.File("marker")), "callback ");
  }
  std::vector<LogEntry> PluginLogs() const {
    std::vector<LogEntry> out;
    for (const LogEntry& e : host_.Logs()) {
      if (e.from_plugin) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  PluginHost host_;
};

TEST_F(HostCallbacksTest, HostLogIsRecordedAndAcknowledged) {
  std::vector<std::string> replies = Probe();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], R"(callback host.log rc=0 {"ok":true,"result":{}})");
  std::vector<LogEntry> logs = PluginLogs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].plugin_id, "p");
  EXPECT_EQ(logs[0].level, LogLevel::kWarn);
  EXPECT_EQ(logs[0].message, "fixture says hi");
  ASSERT_EQ(logs[0].fields.size(), 2u) << "the blank key is dropped";
  EXPECT_EQ(*logs[0].fields.Find("n"), "1");
  EXPECT_EQ(*logs[0].fields.Find("who"), "fixture");
}

TEST_F(HostCallbacksTest, UnknownCallbackIsRefusedWithAnErrorEnvelope) {
  std::vector<std::string> replies = Probe();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1], R"(callback host.nope rc=0 {"ok":false,"error":{"code":"host_call_failed",)"
                        R"("message":"unsupported host callback host.nope"}})");
}

struct LevelCase {
  const char* level;
  LogLevel expected;
};

class HostLogLevelTest : public HostCallbacksTest,
                         public ::testing::WithParamInterface<LevelCase> {};

TEST_P(HostLogLevelTest, MapsTheLevel) {
  Probe(std::string(R"({"level":")") + GetParam().level + R"(","message":"m"})");
  std::vector<LogEntry> logs = PluginLogs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, HostLogLevelTest,
    ::testing::Values(LevelCase{"trace", LogLevel::kTrace}, LevelCase{"debug", LogLevel::kDebug},
                      LevelCase{"info", LogLevel::kInfo}, LevelCase{"warn", LogLevel::kWarn},
                      LevelCase{"warning", LogLevel::kWarn}, LevelCase{"error", LogLevel::kError},
                      LevelCase{"fatal", LogLevel::kDebug}, LevelCase{"", LogLevel::kDebug}),
    [](const ::testing::TestParamInfo<LevelCase>& p) {
      std::string level = p.param.level;
      return level.empty() ? std::string("empty") : level;
    });

TEST_F(HostCallbacksTest, EmptyMessageBecomesPluginLog) {
  std::vector<std::string> replies = Probe(R"({"level":"info","fields":null})");
  EXPECT_EQ(replies[0], R"(callback host.log rc=0 {"ok":true,"result":{}})");
  std::vector<LogEntry> logs = PluginLogs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].message, "plugin log");
  EXPECT_TRUE(logs[0].fields.empty());
}

TEST_F(HostCallbacksTest, KeysMatchCaseInsensitivelyAndFieldsKeepJsonValues) {
  Probe(
      R"({"LEVEL":"error","Message":"m","host_callback_id":"x","Fields":{"o":{"k":[1,true]},"s":"v"}})");
  std::vector<LogEntry> logs = PluginLogs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, LogLevel::kError);
  EXPECT_EQ(logs[0].message, "m");
  EXPECT_EQ(*logs[0].fields.Find("o"), R"({"k":[1,true]})");
  EXPECT_EQ(*logs[0].fields.Find("s"), "v");
}

TEST_F(HostCallbacksTest, FieldValuesAreWrittenBackAsGoWouldAndNullIsKept) {
  Probe(R"({"level":"info","message":"m","fields":{"f":1.50,"z":null,"o":{"b":1,"a":2}}})");
  std::vector<LogEntry> logs = PluginLogs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(*logs[0].fields.Find("f"), "1.5");
  EXPECT_EQ(*logs[0].fields.Find("z"), "null");
  EXPECT_EQ(*logs[0].fields.Find("o"), R"({"a":2,"b":1})");
}

TEST_F(HostCallbacksTest, UndecodableHostLogIsRefused) {
  std::vector<std::string> replies = Probe(R"({"level":3})");
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(
      replies[0].rfind(
          R"(callback host.log rc=0 {"ok":false,"error":{"code":"host_call_failed","message":"decode host log request: )",
          0),
      0u)
      << replies[0];
  EXPECT_TRUE(PluginLogs().empty());
}

TEST_F(HostCallbacksTest, HostLogOfAnotherShapeIsRefused) {
  for (const char* body : {R"(["m"])", R"({"fields":{"k":"v"},"fields":[]})", R"({"message":1})"}) {
    TempDir dir;
    PluginHost host;
    PluginSettings settings;
    settings.config_yaml =
        Script({{"marker", dir.File("marker")}, {"probe_callbacks", "true"}, {"log_body", body}});
    ASSERT_TRUE(host.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so"), settings).ok());
    std::vector<std::string> replies =
        LinesStartingWith(ReadLines(dir.File("marker")), "callback host.log ");
    ASSERT_EQ(replies.size(), 1u) << body;
    EXPECT_NE(replies[0].find(R"("code":"host_call_failed","message":"decode host log request: )"),
              std::string::npos)
        << body << ": " << replies[0];
    for (const LogEntry& e : host.Logs()) EXPECT_FALSE(e.from_plugin) << body;
  }
}

}  // namespace
}  // namespace cliproxy::host

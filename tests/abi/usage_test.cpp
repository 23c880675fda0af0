// usage.handle through the C ABI: scheduler.so declares `usage_plugin` exactly when its
// configuration has a route that learns from usage (least-used, fastest), accepts usage
// records then, and picks by them.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <tuple>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

// The `capabilities` object of a registration reply, as compact JSON.
std::string Capabilities(const Reply& reply) {
  Envelope env = ReadEnvelope(reply.body);
  EXPECT_TRUE(env.ok) << reply.body;
  rapidjson::Document d;
  d.Parse(env.result.c_str());
  if (!d.IsObject() || !d.HasMember("capabilities")) return "<none>";
  const rapidjson::Value& caps = d["capabilities"];
  std::string out = "{";
  for (auto it = caps.MemberBegin(); it != caps.MemberEnd(); ++it) {
    if (out.size() > 1) out += ",";
    out += std::string(it->name.GetString()) + ":" + (it->value.IsTrue() ? "true" : "other");
  }
  return out + "}";
}

// A UsageRecord as CLIProxyAPI encodes it (Go field names, Latency in nanoseconds).
std::string Record(const std::string& auth, int64_t latency_ms, int64_t tokens,
                   const std::string& requested_at = "2025-06-02T09:00:00Z") {
  return "{\"Provider\":\"claude\",\"Model\":\"claude-sonnet-4\",\"AuthID\":\"" + auth +
         "\",\"RequestedAt\":\"" + requested_at +
         "\",\"Latency\":" + std::to_string(latency_ms * 1'000'000) +
         ",\"TTFT\":0,\"Failed\":false,\"Detail\":{\"InputTokens\":0,\"OutputTokens\":0,"
         "\"TotalTokens\":" +
         std::to_string(tokens) + "}}";
}

const char* kLeastUsed = "routes:\n  - name: spread\n    strategy: least-used\n";
const char* kFastest =
    "routes:\n  - name: quick\n    strategy: fastest\n    latency: {explore: 0}\n";

TEST(AbiUsage, TheCapabilityIsDeclaredOnlyByConfigurationsThatReadUsage) {
  SchedulerSo so;
  EXPECT_EQ(Capabilities(so.Register(LifecycleBody("auth_id: a\n"))),
            "{scheduler:true,management_api:true}");
  EXPECT_EQ(Capabilities(so.Reconfigure(LifecycleBody(kLeastUsed))),
            "{scheduler:true,usage_plugin:true,management_api:true}");
  EXPECT_EQ(Capabilities(so.Reconfigure(LifecycleBody(kFastest))),
            "{scheduler:true,usage_plugin:true,management_api:true}");
  EXPECT_EQ(Capabilities(
                so.Reconfigure(LifecycleBody("routes:\n  - name: r\n    strategy: round-robin\n"))),
            "{scheduler:true,management_api:true}");
}

TEST(AbiUsage, UsageRecordsAreRefusedUntilTheCapabilityIsDeclared) {
  SchedulerSo so;
  so.Register(LifecycleBody("delegate: round-robin\n"));
  Reply before = so.Call("usage.handle", Record("a", 100, 10));
  EXPECT_EQ(before.rc, 0);
  EXPECT_EQ(ReadEnvelope(before.body).code, "unknown_method") << before.body;
  so.Reconfigure(LifecycleBody(kLeastUsed));
  Reply after = so.Call("usage.handle", Record("a", 100, 10));
  EXPECT_EQ(after.rc, 0);
  EXPECT_EQ(after.body, "{\"ok\":true,\"result\":{}}");
  // A record that does not decode is an error, and changes nothing.
  Reply bad = so.Call("usage.handle", "{\"AuthID\":7}");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(ReadEnvelope(bad.body).code, "invalid_request") << bad.body;
}

// Registers `yaml`, sends one record per account (latency ms, tokens), then expects the
// pick over a, b, c to be `best` and the pick over a, c to be `without_best`.
void ExpectPicksAfterRecords(const char* yaml,
                             const std::vector<std::tuple<std::string, int64_t, int64_t>>& records,
                             const std::string& best, const std::string& without_best) {
  SchedulerSo so;
  so.Register(LifecycleBody(yaml));
  for (const auto& [auth, latency_ms, tokens] : records) {
    ASSERT_EQ(so.Call("usage.handle", Record(auth, latency_ms, tokens)).rc, 0);
  }
  EXPECT_EQ(so.Pick(PickBody({"a", "b", "c"})).body, AuthReply(best));
  EXPECT_EQ(so.Pick(PickBody({"a", "c"})).body, AuthReply(without_best));
}

TEST(AbiUsage, LeastUsedPicksByTheTokensRecordsReport) {
  ExpectPicksAfterRecords(kLeastUsed, {{"a", 100, 9000}, {"b", 100, 300}, {"c", 100, 4000}}, "b",
                          "c");
}

TEST(AbiUsage, FastestPicksByTheLatencyRecordsReport) {
  ExpectPicksAfterRecords(kFastest, {{"a", 2500, 10}, {"b", 700, 10}, {"c", 1200, 10}}, "b", "c");
}

TEST(AbiUsage, ReferenceKeysStillDecideFirst) {
  SchedulerSo so;
  so.Register(LifecycleBody(std::string("auth_id: a\n") + kLeastUsed));
  so.Call("usage.handle", Record("a", 100, 99999));
  EXPECT_EQ(so.Pick(PickBody({"a", "b"})).body, AuthReply("a"));
  EXPECT_EQ(so.Pick(PickBody({"b", "c"})).body, AuthReply("b"));
}

}  // namespace
}  // namespace cliproxy::abi_test

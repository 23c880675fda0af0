// Registration capabilities: every key CLIProxyAPI v7.3.x reads, written only when set
// (Go's omitempty), read back with Go's rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

// The keys of CLIProxyAPI's rpcCapabilities plus the v7.3.x additions.
const std::set<std::string_view> kFlags = {"model_registrar",
                                           "model_provider",
                                           "auth_provider",
                                           "frontend_auth_provider",
                                           "frontend_auth_provider_exclusive",
                                           "scheduler",
                                           "model_router",
                                           "executor",
                                           "request_translator",
                                           "request_normalizer",
                                           "request_interceptor",
                                           "outbound_header_interceptor",
                                           "request_lifecycle_plugin",
                                           "response_translator",
                                           "response_before_translator",
                                           "response_after_translator",
                                           "response_interceptor",
                                           "response_stream_interceptor",
                                           "thinking_applier",
                                           "usage_plugin",
                                           "command_line_plugin",
                                           "management_api",
                                           "quota_provider",
                                           "scheduler_across_priorities"};

std::string CapabilitiesJson(const Capabilities& c) {
  Registration r;
  r.capabilities = c;
  std::string encoded = EncodeRegistration(r);
  size_t at = encoded.find(R"("capabilities":)");
  return encoded.substr(at + 15, encoded.size() - at - 16);
}

TEST(CapabilityKeys, AreEveryKeyOfTheHostWithItsKind) {
  std::set<std::string_view> flags;
  std::vector<std::string_view> others;
  for (const CapabilityKey& key : CapabilityKeys()) {
    if (key.kind == CapabilityKind::kFlag) {
      EXPECT_TRUE(flags.insert(key.name).second) << "duplicate " << key.name;
    } else {
      others.push_back(key.name);
    }
  }
  EXPECT_EQ(flags, kFlags);
  auto kind_of = [](std::string_view name) {
    const auto& keys = CapabilityKeys();
    auto it = std::find_if(keys.begin(), keys.end(),
                           [&](const CapabilityKey& k) { return k.name == name; });
    return it == keys.end() ? CapabilityKind::kFlag : it->kind;
  };
  EXPECT_EQ(others.size(), 3u);
  EXPECT_EQ(kind_of("executor_model_scope"), CapabilityKind::kString);
  EXPECT_EQ(kind_of("executor_input_formats"), CapabilityKind::kStringList);
  EXPECT_EQ(kind_of("executor_output_formats"), CapabilityKind::kStringList);
}

TEST(CapabilitiesEncode, OnlyWhatIsSet) {
  EXPECT_EQ(CapabilitiesJson({}), "{}");
  Capabilities executor;
  executor.executor = true;
  executor.executor_model_scope = "oauth";
  executor.executor_input_formats = {"openai", "claude"};
  executor.executor_output_formats.empty_not_null = true;  // empty: omitted like nil
  EXPECT_EQ(CapabilitiesJson(executor), R"({"executor":true,"executor_model_scope":"oauth",)"
                                        R"("executor_input_formats":["openai","claude"]})");
  Capabilities scheduler;
  scheduler.scheduler = true;
  scheduler.scheduler_across_priorities = true;
  EXPECT_EQ(CapabilitiesJson(scheduler),
            R"({"scheduler":true,"scheduler_across_priorities":true})");
}

TEST(CapabilitiesEncode, EveryFlagUnderItsKey) {
  for (const CapabilityKey& key : CapabilityKeys()) {
    if (key.kind != CapabilityKind::kFlag) continue;
    Registration decoded;
    std::string body = R"({"capabilities":{")" + std::string(key.name) + R"(":true}})";
    ASSERT_TRUE(DecodeRegistration(body, &decoded).ok()) << key.name;
    EXPECT_EQ(SetCapabilityFlags(decoded.capabilities), std::vector<std::string_view>{key.name});
    EXPECT_EQ(CapabilitiesJson(decoded.capabilities), "{\"" + std::string(key.name) + "\":true}");
  }
}

TEST(CapabilitiesDecode, ReadsEveryKindWithGoRules) {
  Registration r;
  ASSERT_TRUE(DecodeRegistration(R"({"capabilities":{"Model_Router":true,"executor":true,)"
                                 R"("executor_model_scope":"both","executor_input_formats":)"
                                 R"(["openai"],"executor_output_formats":null,"quota_provider":)"
                                 R"(false,"unknown":1}})",
                                 &r)
                  .ok());
  EXPECT_TRUE(r.capabilities.model_router);  // keys fold case, as in Go
  EXPECT_TRUE(r.capabilities.executor);
  EXPECT_FALSE(r.capabilities.quota_provider);
  EXPECT_EQ(r.capabilities.executor_model_scope, "both");
  EXPECT_EQ(r.capabilities.executor_input_formats, std::vector<std::string>{"openai"});
  EXPECT_TRUE(r.capabilities.executor_output_formats.is_null());
  EXPECT_EQ(SetCapabilityFlags(r.capabilities),
            (std::vector<std::string_view>{"model_router", "executor"}));

  EXPECT_FALSE(DecodeRegistration(R"({"capabilities":{"executor":"yes"}})", &r).ok());
  EXPECT_FALSE(DecodeRegistration(R"({"capabilities":{"executor_model_scope":1}})", &r).ok());
  EXPECT_FALSE(DecodeRegistration(R"({"capabilities":{"executor_input_formats":"a"}})", &r).ok());
}

}  // namespace
}  // namespace cliproxy::json

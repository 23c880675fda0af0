// scheduler.so's extension method `scheduler.explain`, sent through the plugin host
// (PluginHost::Call): the rule or route that decides, the decision it would answer, and no
// effect on the state live picks use.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::host::CallReply;
using cliproxy::host::PickOutcome;
using cliproxy::host::PluginHost;
using cliproxy::host::PluginSettings;
using cliproxy::host::testing::MakeCandidate;
using cliproxy::host::testing::MakeRequest;

constexpr const char* kRoutes = R"(routes:
  - name: team-a
    when:
      headers:
        X-Team: a
    pool:
      ids: ["a-*"]
    strategy: round-robin
  - name: empty
    when:
      headers:
        X-Team: z
    pool:
      ids: ["z-*"]
  - name: rest
    strategy: fill-first
)";

class ExplainTest : public ::testing::Test {
 protected:
  void Load(const std::string& yaml) {
    PluginSettings settings;
    settings.config_yaml = yaml;
    ASSERT_TRUE(host_.Load("scheduler", CLIPROXY_SCHEDULER_SO, settings).ok());
  }
  static cliproxy::PickRequest Request(const std::string& team = "") {
    cliproxy::PickRequest r = MakeRequest(
        {MakeCandidate("a-1.json"), MakeCandidate("a-2.json"), MakeCandidate("b-1.json")});
    if (!team.empty()) r.options.headers.Set("X-Team", {team});
    return r;
  }
  CallReply Explain(const cliproxy::PickRequest& request) {
    std::optional<CallReply> reply =
        host_.Call("scheduler", "scheduler.explain", cliproxy::json::EncodePickRequest(request));
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(CallReply{});
  }

  PluginHost host_;
};

TEST_F(ExplainTest, NamesTheRouteThatDecidesAndItsDecision) {
  Load(kRoutes);
  EXPECT_EQ(Explain(Request("a")),
            (CallReply{0, R"({"ok":true,"result":{"Decision":{"AuthID":"a-1.json",)"
                          R"("DelegateBuiltin":"","Handled":true},"Rule":"routes[0] team-a"}})"}));
  EXPECT_EQ(Explain(Request()).body,
            R"({"ok":true,"result":{"Decision":{"AuthID":"a-1.json","DelegateBuiltin":"",)"
            R"("Handled":true},"Rule":"routes[2] rest"}})");
}

TEST_F(ExplainTest, AnErrorDecisionCarriesTheErrorAndItsStatus) {
  Load(kRoutes);
  // The `empty` route's pool matches nothing: it fails closed, by default with 503.
  CallReply reply = Explain(Request("z"));
  EXPECT_EQ(reply.rc, 0);
  EXPECT_EQ(reply.body.rfind(R"({"ok":true,"result":{"Decision":{"AuthID":"","DelegateBuiltin":"",)"
                             R"("Handled":false},"Rule":"routes[1] empty","Error":{"code":)"
                             R"("auth_unavailable","message":")",
                             0),
            0u)
      << reply.body;
  EXPECT_NE(reply.body.find(R"(,"http_status":503}}})"), std::string::npos) << reply.body;
  // The pick answers that error.
  PickOutcome outcome = host_.Pick(Request("z"));
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, "auth_unavailable");
  EXPECT_EQ(outcome.error->http_status, 503);
}

TEST_F(ExplainTest, ReferenceKeysAreNamed) {
  Load("deny: true\n");
  EXPECT_EQ(Explain(Request()).body,
            R"({"ok":true,"result":{"Decision":{"AuthID":"","DelegateBuiltin":"","Handled":false},)"
            R"("Rule":"deny","Error":{"code":"scheduler_denied","message":"scheduler pick denied )"
            R"(by plugin configuration"}}})");
  PluginSettings settings;
  settings.config_yaml = "delegate: fill-first\n";
  ASSERT_TRUE(host_.Reconfigure("scheduler", settings).ok());
  EXPECT_EQ(Explain(Request()).body,
            R"({"ok":true,"result":{"Decision":{"AuthID":"","DelegateBuiltin":"fill-first",)"
            R"("Handled":true},"Rule":"delegate"}})");
  settings.config_yaml = "auth_id: b-1.json\n";
  ASSERT_TRUE(host_.Reconfigure("scheduler", settings).ok());
  EXPECT_EQ(Explain(Request()).body,
            R"({"ok":true,"result":{"Decision":{"AuthID":"b-1.json","DelegateBuiltin":"",)"
            R"("Handled":true},"Rule":"auth_id"}})");
  settings.config_yaml = "auth_id: nobody\n";
  ASSERT_TRUE(host_.Reconfigure("scheduler", settings).ok());
  EXPECT_EQ(Explain(Request()).body,
            R"({"ok":true,"result":{"Decision":{"AuthID":"","DelegateBuiltin":"",)"
            R"("Handled":false},"Rule":""}})");
}

TEST_F(ExplainTest, ExplainingMovesNoStrategyState) {
  Load(kRoutes);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(Explain(Request("a")).body.find(R"("AuthID":"a-1.json")"), std::string::npos);
  }
  // The live round-robin cursor did not move: the picks start at a-1.
  EXPECT_EQ(host_.Pick(Request("a")).auth_id, "a-1.json");
  // Explain says what the live cursor gives next (a fresh copy would say a-1 again), and
  // still moves nothing.
  EXPECT_NE(Explain(Request("a")).body.find(R"("AuthID":"a-2.json")"), std::string::npos);
  EXPECT_NE(Explain(Request("a")).body.find(R"("AuthID":"a-2.json")"), std::string::npos);
  EXPECT_EQ(host_.Pick(Request("a")).auth_id, "a-2.json");
}

TEST_F(ExplainTest, UndecodableBodyIsAnInvalidRequest) {
  Load(kRoutes);
  std::optional<CallReply> reply = host_.Call("scheduler", "scheduler.explain", "{\"Model\":1}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->rc, 1);
  EXPECT_EQ(reply->body.rfind(R"({"ok":false,"error":{"code":"invalid_request","message":)"
                              R"("scheduler.explain: )",
                              0),
            0u)
      << reply->body;
}

TEST_F(ExplainTest, OtherMethodsStayUnknownAndUnknownIdsAreNotCalled) {
  Load("");
  std::optional<CallReply> reply = host_.Call("scheduler", "scheduler.nope", "{}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, (CallReply{0, R"({"ok":false,"error":{"code":"unknown_method",)"
                                  R"("message":"unknown method: scheduler.nope"}})"}));
  EXPECT_FALSE(host_.Call("other", "scheduler.explain", "{}").has_value());
}

}  // namespace

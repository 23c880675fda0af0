// The `deny` strategy: an error envelope with the route's status, code and message.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

TEST(DenyTest, UsesTheRoutesStatusCodeAndMessage) {
  auto policy = Compile(R"(
routes:
  - name: blocked
    when: {models: ["o1-*"]}
    strategy: deny
    error: {status: 429, code: "model_blocked", message: "o1 is not for this team"}
)");
  Decision d = policy->Pick(Request({"a"}).Model("o1-preview"));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.http_status, 429);
  EXPECT_EQ(d.error.code, "model_blocked");
  EXPECT_EQ(d.error.message, "o1 is not for this team");
  EXPECT_EQ(d.rule, "routes[0] blocked");
  // Other models: no route matches, unhandled.
  EXPECT_EQ(PickId(*policy, Request({"a"}).Model("gpt-5")), "<unhandled>");
}

TEST(DenyTest, DefaultsToForbiddenSchedulerDenied) {
  auto policy = Compile("routes: [{name: no, strategy: deny}]\n");
  Decision d = policy->Pick(Request({"a"}));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.http_status, 403);
  EXPECT_EQ(d.error.code, "scheduler_denied");
  EXPECT_EQ(d.error.message, "scheduler pick denied by route \"no\"");
}

TEST(DenyTest, PartialErrorKeepsTheOtherDefaults) {
  auto policy = Compile("routes: [{name: no, strategy: deny, error: {status: 451}}]\n");
  Decision d = policy->Pick(Request({"a"}));
  EXPECT_EQ(d.error.http_status, 451);
  EXPECT_EQ(d.error.code, "scheduler_denied");
}

TEST(DenyTest, ReachesTheWireAsAnErrorEnvelopeWithTheStatus) {
  SchedulerPlugin plugin;
  LifecycleRequest config;
  config.config_yaml =
      "routes: [{name: no, strategy: deny, error: {status: 429, code: quota, message: "
      "\"try later\"}}]\n";
  ASSERT_TRUE(plugin.Register(config).ok());
  Result<PickResult> r = plugin.Pick(Request({"a"}));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.fatal());  // a decided refusal: return code 0, as the reference's deny
  EXPECT_EQ(json::ErrorEnvelope(r.error()),
            R"({"ok":false,"error":{"code":"quota","message":"try later","http_status":429}})");
}

TEST(DenyTest, StatusMustBeAnHttpErrorStatus) {
  const std::string error =
      CompileError("routes:\n  - name: no\n    strategy: deny\n    error:\n      status: 200\n");
  EXPECT_NE(error.find("routes[0].error.status: line 5, column 15: must be an HTTP error status"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

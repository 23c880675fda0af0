// The reference keys (deny, delegate, auth_id) keep their exact answers when routes are
// configured, and are evaluated before the routes.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr const char* kRoutes = R"(
routes:
  - name: everything
    strategy: deny
    error: {status: 429, code: "route_decided", message: "the route decided"}
)";

TEST(ReferenceTest, DenyComesFirst) {
  auto policy = Compile(std::string("deny: true\nauth_id: a\ndelegate: fill-first\n") + kRoutes);
  Decision d = policy->Pick(Request({"a"}));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.code, "scheduler_denied");
  EXPECT_EQ(d.error.message, "scheduler pick denied by plugin configuration");
  EXPECT_EQ(d.error.http_status, 0);
}

TEST(ReferenceTest, ABuiltinDelegateComesBeforeRoutesAndAuthId) {
  auto policy = Compile(std::string("auth_id: a\ndelegate: round-robin\n") + kRoutes);
  EXPECT_EQ(PickId(*policy, Request({"a"})), "<delegate round-robin>");
}

TEST(ReferenceTest, AuthIdComesBeforeRoutes) {
  auto policy = Compile(std::string("auth_id: b\n") + kRoutes);
  Decision d = policy->Pick(Request({"a", "b"}));
  EXPECT_EQ(Chosen(d), "b");
  EXPECT_EQ(d.rule, "auth_id");
}

TEST(ReferenceTest, RoutesDecideWhenAuthIdIsNotOffered) {
  auto policy = Compile(std::string("auth_id: b\n") + kRoutes);
  EXPECT_EQ(PickId(*policy, Request({"a", "c"})), "<error route_decided>");
}

TEST(ReferenceTest, RoutesDecideWhenTheDelegateIsNotABuiltin) {
  // The reference answers unhandled for such a delegate without looking at auth_id; the
  // routes then decide. Without routes the answer stays unhandled.
  auto policy = Compile(std::string("auth_id: a\ndelegate: weighted\n") + kRoutes);
  EXPECT_EQ(PickId(*policy, Request({"a"})), "<error route_decided>");
  auto reference = Compile("auth_id: a\ndelegate: weighted\n");
  Decision d = reference->Pick(Request({"a"}));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
}

TEST(ReferenceTest, AnswersAreUnchangedWithoutRoutes) {
  struct Case {
    const char* yaml;
    std::vector<std::string> ids;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", {"a"}, "<unhandled>"},
      {"auth_id: a", {"b", "a"}, "a"},
      {"auth_id: a", {"b"}, "<unhandled>"},
      {"auth_id: \" a \"", {"a"}, "a"},        // trimmed
      {"auth_id: b", {" b "}, "<unhandled>"},  // candidate IDs are compared exactly
      {"delegate: fill-first", {"a"}, "<delegate fill-first>"},
      {"delegate: ROUND-ROBIN\nauth_id: a", {"a"}, "<unhandled>"},
      {"deny: yes", {"a"}, "<error scheduler_denied>"},
      {"routes: []\nauth_id: a", {"a"}, "a"},
  };
  for (const Case& c : cases) {
    auto policy = Compile(c.yaml);
    EXPECT_EQ(PickId(*policy, Request(c.ids)), c.expected) << c.yaml;
  }
}

TEST(ReferenceTest, ReferenceOnlyPoliciesReadOnlyCandidateIds) {
  for (const char* yaml : {"", "auth_id: a", "delegate: round-robin", "deny: true", "routes: []"}) {
    const json::PickFields f = Compile(yaml)->fields();
    EXPECT_FALSE(f.plugin || f.providers || f.headers || f.request_metadata ||
                 f.candidate_attributes || f.candidate_metadata)
        << yaml;
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

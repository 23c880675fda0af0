// `when_empty`: what a route does when its pool is empty (or its strategy excludes every
// account): deny (the default: fail closed), next (try the next route), pass (unhandled).
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string TenantConfig(const std::string& when_empty, const std::string& error = "") {
  return R"(
routes:
  - name: tenant
    when: {metadata: {caller_scope: "t1"}}
    pool: {ids: ["t1-*"]}
    strategy: round-robin
)" + (when_empty.empty() ? "" : "    when_empty: " + when_empty + "\n") +
         error + R"(  - name: shared
    strategy: fill-first
)";
}

Request Tenant(const std::vector<std::string>& ids) {
  Request r(ids);
  r.Metadata("caller_scope", "t1");
  return r;
}

TEST(WhenEmptyTest, DefaultIsDenyWithServiceUnavailable) {
  auto policy = Compile(TenantConfig(""));
  Decision d = policy->Pick(Tenant({"shared-1"}));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.http_status, 503);
  EXPECT_EQ(d.error.code, "auth_unavailable");
  EXPECT_EQ(d.error.message, "no account available for route \"tenant\"");
  EXPECT_EQ(d.rule, "routes[0] tenant");
  // With its own account offered, the tenant is served from it.
  EXPECT_EQ(PickId(*policy, Tenant({"shared-1", "t1-a"})), "t1-a");
}

TEST(WhenEmptyTest, DenyUsesTheRoutesError) {
  auto policy = Compile(TenantConfig(
      "deny",
      "    error: {status: 429, code: no_credential, message: \"t1 has no free account\"}\n"));
  Decision d = policy->Pick(Tenant({"shared-1"}));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.http_status, 429);
  EXPECT_EQ(d.error.code, "no_credential");
  EXPECT_EQ(d.error.message, "t1 has no free account");
}

TEST(WhenEmptyTest, NextTriesTheFollowingRoutes) {
  auto policy = Compile(TenantConfig("next"));
  EXPECT_EQ(PickId(*policy, Tenant({"shared-2", "shared-1"})), "shared-1");
}

TEST(WhenEmptyTest, NextWithNoFollowingRouteIsUnhandled) {
  auto policy = Compile(R"(
routes:
  - name: only
    pool: {ids: ["mine"]}
    when_empty: next
)");
  Decision d = policy->Pick(Request({"other"}));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(d.rule, "");
}

TEST(WhenEmptyTest, PassLeavesItToTheHostWithoutTryingOtherRoutes) {
  auto policy = Compile(TenantConfig("pass"));
  Decision d = policy->Pick(Tenant({"shared-1"}));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(d.rule, "routes[0] tenant");
}

TEST(WhenEmptyTest, AnEmptyCandidateListIsAnEmptyPool) {
  auto policy = Compile("routes: [{name: all, strategy: round-robin}]\n");
  EXPECT_EQ(PickId(*policy, Request()), "<error auth_unavailable>");
}

TEST(WhenEmptyTest, UnknownValueIsRefused) {
  const std::string error = CompileError("routes:\n  - name: r\n    when_empty: fallthrough\n");
  EXPECT_NE(error.find("routes[0].when_empty: line 3, column 17: unknown value \"fallthrough\" "
                       "(known: deny, next, pass)"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

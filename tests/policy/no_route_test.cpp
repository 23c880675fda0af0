// `no_route`: what a pick that no rule or route decided gets. `action: pass` (the default)
// leaves it to the host, as the reference plugin does; `action: deny` fails it with its
// `error`, so that a multi-tenant proxy fails closed for a caller no route knows.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

const std::string kTenant = R"(
routes:
  - name: acme
    when: {metadata: {caller_scope: "acme"}}
    pool: {ids: ["acme-*"]}
)";

Request Caller(const std::string& scope) {
  Request r({"acme-1", "shared-1"});
  if (!scope.empty()) r.Metadata("caller_scope", scope);
  return r;
}

TEST(NoRouteTest, WithoutTheBlockAnUnmatchedPickIsLeftToTheHost) {
  auto policy = Compile(kTenant);
  Decision d = policy->Pick(Caller("other"));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(d.rule, "");
  EXPECT_EQ(Chosen(Compile(kTenant + "no_route: {action: pass}\n")->Pick(Caller(""))),
            "<unhandled>");
}

TEST(NoRouteTest, DenyFailsEveryPickNoRouteDecidedWith403ByDefault) {
  auto policy = Compile(kTenant + "no_route: {action: deny}\n");
  EXPECT_EQ(PickId(*policy, Caller("acme")), "acme-1");  // a matching route still decides
  for (const char* scope : {"other", ""}) {              // unknown caller; no caller_scope at all
    Decision d = policy->Pick(Caller(scope));
    ASSERT_EQ(d.kind, Decision::Kind::kError) << scope;
    EXPECT_EQ(d.error.http_status, 403);
    EXPECT_EQ(d.error.code, "no_route");
    EXPECT_EQ(d.error.message, "no scheduler route matches this request");
    EXPECT_EQ(d.rule, "no_route");
  }
}

TEST(NoRouteTest, TheErrorIsTheOperatorsToChoose) {
  auto policy = Compile(kTenant + R"(
no_route:
  action: deny
  error: {status: 401, code: unknown_tenant, message: "this API key has no account pool"}
)");
  Decision d = policy->Pick(Caller("other"));
  EXPECT_EQ(d.error.http_status, 401);
  EXPECT_EQ(d.error.code, "unknown_tenant");
  EXPECT_EQ(d.error.message, "this API key has no account pool");
}

TEST(NoRouteTest, AppliesAfterTheReferenceKeysLeaveThePickUndecided) {
  // auth_id not offered, or a delegate that is no built-in: the reference keys leave the
  // pick undecided, so no_route applies; a pinned auth that is offered still wins.
  auto policy = Compile("auth_id: pinned\nno_route: {action: deny}\n");
  EXPECT_EQ(Chosen(policy->Pick(Request({"a"}))), "<error no_route>");
  EXPECT_EQ(PickId(*policy, Request({"a", "pinned"})), "pinned");
  EXPECT_EQ(Chosen(Compile("delegate: bogus\nno_route: {action: deny}\n")->Pick(Request({"a"}))),
            "<error no_route>");
}

TEST(NoRouteTest, ARouteThatPassesIsADecisionNotAFallThrough) {
  auto policy = Compile(kTenant + "    when_empty: pass\nno_route: {action: deny}\n");
  EXPECT_EQ(Chosen(policy->Pick(Request({"shared-1"}).Metadata("caller_scope", "acme"))),
            "<unhandled>");
}

TEST(NoRouteTest, ConfigErrorsNameTheKey) {
  EXPECT_EQ(CompileError("no_route: {action: block}\n"),
            "no_route.action: line 1, column 20: unknown action \"block\" (known: pass, deny)");
  EXPECT_EQ(CompileError("no_route: {action: deny, error: {status: 200}}\n"),
            "no_route.error.status: line 1, column 42: must be an HTTP error status (400-599), "
            "or 0 for none");
  EXPECT_EQ(CompileError("no_route: {error: {status: 429}}\n"),
            "no_route.error: line 1, column 19: `error` is only used by `action: deny`, and this "
            "block passes");
  EXPECT_EQ(CompileError("no_route: {action: deny, when: {}}\n"),
            "no_route.when: line 1, column 32: unknown key `when` in `no_route` (known: action, "
            "error)");
  EXPECT_EQ(CompileError("no_route: deny\n"),
            "no_route: line 1, column 11: `no_route` must be a mapping ({action, error}), got "
            "`deny`");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

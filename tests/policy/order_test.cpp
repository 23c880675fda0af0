// The `order` strategy: ordered failover over a preference list of globs.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr const char* kConfig = R"(
routes:
  - name: failover
    strategy: order
    order: ["main.json", "backup-*", "spare.json"]
)";

TEST(OrderTest, TakesTheMainAccountWhileItIsOffered) {
  auto policy = Compile(kConfig);
  Request request({"spare.json", "backup-2.json", "main.json", "backup-1.json"});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PickId(*policy, request), "main.json");
}

TEST(OrderTest, FailsOverInListOrderAndBack) {
  auto policy = Compile(kConfig);
  EXPECT_EQ(PickId(*policy, Request({"spare.json", "backup-2.json", "backup-1.json"})),
            "backup-1.json");  // several match one glob: the lowest ID
  EXPECT_EQ(PickId(*policy, Request({"spare.json", "backup-2.json"})), "backup-2.json");
  EXPECT_EQ(PickId(*policy, Request({"spare.json"})), "spare.json");
  // The main account is offered again (its cooldown ended): it is preferred again.
  EXPECT_EQ(PickId(*policy, Request({"spare.json", "main.json"})), "main.json");
}

TEST(OrderTest, UnlistedAccountsOfThePoolComeLastInIdOrder) {
  auto policy = Compile(kConfig);
  EXPECT_EQ(PickId(*policy, Request({"zeta", "alpha"})), "alpha");
  EXPECT_EQ(PickId(*policy, Request({"zeta", "spare.json"})), "spare.json");
}

TEST(OrderTest, RestrictingThePoolServesOnlyTheListedAccounts) {
  auto policy = Compile(R"(
routes:
  - name: failover
    pool: {ids: ["main.json", "backup-*"]}
    strategy: order
    order: ["main.json", "backup-*"]
    error: {status: 503, code: "no_backup", message: "main and backups are all down"}
)");
  Decision d = policy->Pick(Request({"other.json"}));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.code, "no_backup");
  EXPECT_EQ(d.error.http_status, 503);
}

TEST(OrderTest, NeedsAnOrderList) {
  const std::string error = CompileError("routes:\n  - name: f\n    strategy: order\n");
  EXPECT_NE(error.find("routes[0].strategy: line 3, column 15:"), std::string::npos) << error;
  EXPECT_NE(error.find("needs a non-empty `order` list"), std::string::npos) << error;
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

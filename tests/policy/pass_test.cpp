// The `pass` strategy: leave the pick to the host, and stop trying routes.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

TEST(PassTest, LeavesThePickUnhandledAndStopsAtTheRoute) {
  auto policy = Compile(R"(
routes:
  - name: exempt
    when: {headers: {X-Debug: "*"}}
    strategy: pass
  - name: everything
    strategy: fill-first
)");
  Decision d = policy->Pick(Request({"b", "a"}).Header("X-Debug", "1"));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(d.rule, "routes[0] exempt");
  EXPECT_EQ(PickId(*policy, Request({"b", "a"})), "a");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

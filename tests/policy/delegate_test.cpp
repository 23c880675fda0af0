// The `delegate` strategy: hand the pick to the host's built-in fill-first/round-robin.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

TEST(DelegateTest, DelegatesToTheNamedBuiltin) {
  auto ff = Compile("routes: [{name: d, strategy: delegate, delegate: fill-first}]\n");
  Decision d = ff->Pick(Request({"a"}));
  ASSERT_EQ(d.kind, Decision::Kind::kDelegate);
  EXPECT_EQ(d.delegate, "fill-first");
  EXPECT_EQ(d.rule, "routes[0] d");
  auto rr = Compile("routes: [{name: d, strategy: delegate, delegate: round-robin}]\n");
  EXPECT_EQ(PickId(*rr, Request({"a"})), "<delegate round-robin>");
}

TEST(DelegateTest, DefaultsToRoundRobin) {
  auto policy = Compile("routes: [{name: d, strategy: delegate}]\n");
  EXPECT_EQ(PickId(*policy, Request({"a"})), "<delegate round-robin>");
}

TEST(DelegateTest, RefusesADelegateTheHostDoesNotOffer) {
  const std::string error =
      CompileError("routes:\n  - name: d\n    strategy: delegate\n    delegate: weighted\n");
  EXPECT_NE(error.find("routes[0].delegate: line 4, column 15: unknown built-in strategy "
                       "\"weighted\" (the host offers fill-first, round-robin)"),
            std::string::npos)
      << error;
}

TEST(DelegateTest, AnEmptyPoolStillAppliesWhenEmpty) {
  auto policy = Compile(R"(
routes:
  - name: d
    pool: {ids: ["mine-*"]}
    strategy: delegate
    when_empty: next
  - name: rest
    strategy: fill-first
)");
  EXPECT_EQ(PickId(*policy, Request({"mine-1"})), "<delegate round-robin>");
  EXPECT_EQ(PickId(*policy, Request({"other"})), "other");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

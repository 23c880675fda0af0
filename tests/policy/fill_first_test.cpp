// The `fill-first` strategy: the lowest account ID of the pool, every time.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

TEST(FillFirstTest, AlwaysTakesTheLowestIdOfThePool) {
  auto policy = Compile(R"(
routes:
  - name: ff
    pool: {ids: ["pro-*"]}
    strategy: fill-first
)");
  Request request({"pro-c", "free-a", "pro-b"});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(PickId(*policy, request), "pro-b");
}

TEST(FillFirstTest, MovesToTheNextIdWhenTheFirstIsNotOffered) {
  auto policy = Compile("routes: [{name: ff, strategy: fill-first}]\n");
  EXPECT_EQ(PickId(*policy, Request({"b", "a", "c"})), "a");
  EXPECT_EQ(PickId(*policy, Request({"b", "c"})), "b");
  EXPECT_EQ(PickId(*policy, Request({"c", "a"})), "a");
}

TEST(FillFirstTest, ComparesIdsAsBytesLikeTheHost) {
  auto policy = Compile("routes: [{name: ff, strategy: fill-first}]\n");
  // Go sorts strings by bytes: "B" (0x42) < "a" (0x61), "a10" < "a9".
  EXPECT_EQ(PickId(*policy, Request({"a", "B"})), "B");
  EXPECT_EQ(PickId(*policy, Request({"a9", "a10"})), "a10");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

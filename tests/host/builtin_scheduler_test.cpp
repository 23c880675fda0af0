// BuiltinScheduler: fill-first and round-robin over one pick's candidates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cliproxy/host/builtin_scheduler.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

using testing::MakeCandidate;
using testing::MakeRequest;

std::vector<std::string> PickN(BuiltinScheduler& scheduler, BuiltinStrategy strategy,
                               const PickRequest& request, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(scheduler.Pick(strategy, request).value_or("<none>"));
  return out;
}

TEST(BuiltinStrategyTest, OnlyTheExactNamesParse) {
  EXPECT_EQ(ParseBuiltinStrategy("fill-first"), BuiltinStrategy::kFillFirst);
  EXPECT_EQ(ParseBuiltinStrategy("round-robin"), BuiltinStrategy::kRoundRobin);
  EXPECT_EQ(ParseBuiltinStrategy("Round-Robin"), std::nullopt);
  EXPECT_EQ(ParseBuiltinStrategy(" fill-first"), std::nullopt);
  EXPECT_EQ(BuiltinStrategyName(BuiltinStrategy::kRoundRobin), "round-robin");
  EXPECT_EQ(BuiltinStrategyName(BuiltinStrategy::kFillFirst), "fill-first");
}

TEST(FillFirstTest, TakesTheLowestIdOfTheHighestPriority) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest(
      {MakeCandidate("c", 1), MakeCandidate("d", 2), MakeCandidate("b", 2), MakeCandidate("a", 0)});
  EXPECT_EQ(PickN(scheduler, BuiltinStrategy::kFillFirst, request, 3),
            (std::vector<std::string>{"b", "b", "b"}));
}

TEST(FillFirstTest, NegativePrioritiesRankBelowZero) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest({MakeCandidate("a", -1), MakeCandidate("z", 0)});
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kFillFirst, request), "z");
}

TEST(FillFirstTest, SkipsDisabledCandidatesAndTiersWithoutUsableOnes) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest(
      {MakeCandidate("x", 5), MakeCandidate("b", 1), MakeCandidate("a", 1), MakeCandidate("c", 1)});
  request.candidates[0].status = "disabled";
  request.candidates[2].status = "DISABLED";
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kFillFirst, request), "b");
}

TEST(FillFirstTest, NoUsableCandidateChoosesNothing) {
  BuiltinScheduler scheduler;
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kFillFirst, MakeRequest({})), std::nullopt);
  PickRequest disabled = MakeRequest({MakeCandidate("a")});
  disabled.candidates[0].status = "disabled";
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kRoundRobin, disabled), std::nullopt);
}

TEST(FillFirstTest, IdOrderIsByteOrder) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest({MakeCandidate("b"), MakeCandidate("B"), MakeCandidate("a")});
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kFillFirst, request), "B");  // 'B' < 'a' < 'b'
}

TEST(RoundRobinTest, WalksTheTopTierInIdOrder) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest({MakeCandidate("c", 1), MakeCandidate("a", 1),
                                     MakeCandidate("low", 0), MakeCandidate("b", 1)});
  EXPECT_EQ(PickN(scheduler, BuiltinStrategy::kRoundRobin, request, 5),
            (std::vector<std::string>{"a", "b", "c", "a", "b"}));
}

TEST(RoundRobinTest, KeepsOneCursorPerProviderAndModel) {
  BuiltinScheduler scheduler;
  std::vector<Candidate> pool = {MakeCandidate("a"), MakeCandidate("b"), MakeCandidate("c")};
  PickRequest m1 = MakeRequest(pool, "codex", "m1");
  PickRequest m2 = MakeRequest(pool, "codex", "m2");
  PickRequest other = MakeRequest(pool, "claude", "m1");
  auto rr = BuiltinStrategy::kRoundRobin;
  EXPECT_EQ(scheduler.Pick(rr, m1), "a");
  EXPECT_EQ(scheduler.Pick(rr, m1), "b");
  EXPECT_EQ(scheduler.Pick(rr, m2), "a");  // its own cursor
  EXPECT_EQ(scheduler.Pick(rr, other), "a");
  EXPECT_EQ(scheduler.Pick(rr, m1), "c");
  EXPECT_EQ(scheduler.Pick(rr, m2), "b");
}

TEST(RoundRobinTest, KeepsOneCursorPerPriorityTier) {
  BuiltinScheduler scheduler;
  auto rr = BuiltinStrategy::kRoundRobin;
  PickRequest high = MakeRequest({MakeCandidate("h1", 2), MakeCandidate("h2", 2)});
  PickRequest low = MakeRequest({MakeCandidate("l1", 1), MakeCandidate("l2", 1)});
  EXPECT_EQ(scheduler.Pick(rr, high), "h1");
  EXPECT_EQ(scheduler.Pick(rr, low), "l1");  // tier 1 starts from its own cursor
  EXPECT_EQ(scheduler.Pick(rr, high), "h2");
  EXPECT_EQ(scheduler.Pick(rr, low), "l2");
}

TEST(RoundRobinTest, MixedRoutesKeyOnTheJoinedProviders) {
  BuiltinScheduler scheduler;
  auto rr = BuiltinStrategy::kRoundRobin;
  PickRequest mixed =
      MakeRequest({MakeCandidate("a", 0, "codex"), MakeCandidate("b", 0, "claude")});
  mixed.provider = "";
  mixed.providers = {"codex", "claude"};
  PickRequest codex_only = mixed;
  codex_only.provider = "codex";
  EXPECT_EQ(scheduler.Pick(rr, mixed), "a");
  EXPECT_EQ(scheduler.Pick(rr, codex_only), "a");  // "codex" is another route than "codex,claude"
  EXPECT_EQ(scheduler.Pick(rr, mixed), "b");
}

TEST(RoundRobinTest, CursorWrapsOverAListThatShrank) {
  BuiltinScheduler scheduler;
  auto rr = BuiltinStrategy::kRoundRobin;
  PickRequest three = MakeRequest({MakeCandidate("a"), MakeCandidate("b"), MakeCandidate("c")});
  PickRequest two = MakeRequest({MakeCandidate("a"), MakeCandidate("c")});
  EXPECT_EQ(PickN(scheduler, rr, three, 3), (std::vector<std::string>{"a", "b", "c"}));
  // The cursor is 3; over two candidates it points at index 3 % 2 = 1.
  EXPECT_EQ(PickN(scheduler, rr, two, 2), (std::vector<std::string>{"c", "a"}));
}

TEST(RoundRobinTest, ResetForgetsCursors) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest({MakeCandidate("a"), MakeCandidate("b")});
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kRoundRobin, request), "a");
  scheduler.Reset();
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kRoundRobin, request), "a");
}

TEST(RoundRobinTest, FillFirstDoesNotMoveTheCursor) {
  BuiltinScheduler scheduler;
  PickRequest request = MakeRequest({MakeCandidate("a"), MakeCandidate("b")});
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kRoundRobin, request), "a");
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kFillFirst, request), "a");
  EXPECT_EQ(scheduler.Pick(BuiltinStrategy::kRoundRobin, request), "b");
}

}  // namespace
}  // namespace cliproxy::host

// pool.max_in_flight: an account with N picks of the route in flight is left out of the
// pool, whatever the strategy; a usage record of the account or the expiry of its picks
// (records may never arrive) lets it back in.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string Route(const std::string& strategy, int cap) {
  return "routes:\n  - name: capped\n    strategy: " + strategy +
         "\n    pool: {max_in_flight: " + std::to_string(cap) + "}\n";
}

std::string Pick(const Policy& policy, const std::vector<std::string>& ids, double at = 0) {
  return Chosen(policy.Pick(Request(ids), Mono(at)));
}

TEST(PoolInFlight, AnAccountWithNPicksInFlightIsLeftOut) {
  auto policy = Compile(Route("fill-first", 2));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");  // a has 2 in flight
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "<error auth_unavailable>");  // when_empty: deny
  // A record of a ends its oldest pick: one place again.
  policy->ObserveUsage(UsageBuilder("a").LatencyMs(1000), Mono(1));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "<error auth_unavailable>");
}

TEST(PoolInFlight, TheCapHoldsForEveryStrategyThatChoosesAnAccount) {
  for (const char* strategy :
       {"round-robin", "weighted", "sticky", "least-used", "fastest", "headroom", "fill-first"}) {
    auto policy = Compile(Route(strategy, 1));
    std::set<std::string> chosen;
    for (int i = 0; i < 3; ++i) chosen.insert(Pick(*policy, {"a", "b", "c"}));
    EXPECT_EQ(chosen, (std::set<std::string>{"a", "b", "c"})) << strategy;
    EXPECT_EQ(Pick(*policy, {"a", "b", "c"}), "<error auth_unavailable>") << strategy;
  }
}

TEST(PoolInFlight, PicksWhoseRecordsNeverArriveExpire) {
  auto policy = Compile(Route("round-robin", 1));
  EXPECT_EQ(Pick(*policy, {"a"}, 0), "a");
  EXPECT_EQ(Pick(*policy, {"a"}, 60), "<error auth_unavailable>");
  // Before any latency is reported a pick counts 2 minutes (up to 1 1/8 of that).
  EXPECT_EQ(Pick(*policy, {"a"}, 136), "a");
  // Once a latency is reported, twice the largest one.
  policy->ObserveUsage(UsageBuilder("a").LatencyMs(5000), Mono(136));
  EXPECT_EQ(Pick(*policy, {"a"}, 137), "a");
  EXPECT_EQ(Pick(*policy, {"a"}, 140), "<error auth_unavailable>");
  EXPECT_EQ(Pick(*policy, {"a"}, 149), "a");
}

TEST(PoolInFlight, WhenEmptyAppliesWhenEveryAccountIsAtItsCap) {
  auto policy = Compile(
      "routes:\n  - name: capped\n    pool: {max_in_flight: 1}\n    when_empty: next\n"
      "  - name: overflow\n    strategy: deny\n    error: {status: 429, code: busy}\n");
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
  EXPECT_EQ(Pick(*policy, {"a"}), "<error busy>");
}

TEST(PoolInFlight, ExplainCountsNothing) {
  auto policy = Compile(Route("round-robin", 1));
  EXPECT_EQ(Chosen(policy->Explain(Request({"a"}))), "a");
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(PoolInFlight, PicksInFlightSurviveAReconfigureThatKeepsTheRouteName) {
  auto first = Compile(Route("round-robin", 1));
  EXPECT_EQ(Pick(*first, {"a", "b"}), "a");
  auto second = Compile(Route("fill-first", 1), first.get());
  EXPECT_EQ(Pick(*second, {"a", "b"}), "b");
}

TEST(PoolInFlight, TheRouteAsksForUsageRecords) {
  EXPECT_TRUE(Compile(Route("round-robin", 4))->reads_usage());
  EXPECT_FALSE(Compile("routes:\n  - name: r\n    strategy: round-robin\n")->reads_usage());
}

TEST(PoolInFlight, ConfigErrorsNameTheKeyAndItsPosition) {
  EXPECT_EQ(CompileError(Route("round-robin", 0)),
            "routes[0].pool.max_in_flight: line 4, column 27: must be 1 or more");
  EXPECT_EQ(CompileError(Route("delegate", 2)),
            "routes[0].pool.max_in_flight: line 4, column 27: strategy `delegate` does not choose "
            "an account of the pool, so no cap on picks in flight can hold");
  EXPECT_NE(CompileError("routes:\n  - name: r\n    pool: {max_in_flight: many}\n")
                .find("pool.max_in_flight"),
            std::string::npos);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

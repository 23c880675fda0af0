// fastest: the lowest latency average times the load in flight, from usage records.
#include <gtest/gtest.h>

#include <map>

#include "base/hash.hpp"
#include "policy_test_util.hpp"
#include "scheduler/strategies/fastest/fastest.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string Route(const std::string& latency) {
  return "routes:\n  - name: quick\n    strategy: fastest\n" + latency;
}
const char* kNoExplore = "    latency: {explore: 0}\n";

std::string Pick(const Policy& policy, const std::vector<std::string>& ids, double at) {
  return Chosen(policy.Pick(Request(ids), Mono(at)));
}

// One record per account with the given latency, all finished by usage time 09:00:10.
void Measure(const Policy& policy, const std::map<std::string, int64_t>& latency_ms) {
  for (const auto& [id, ms] : latency_ms) {
    policy.ObserveUsage(UsageBuilder(id, 10).LatencyMs(ms), Mono(0));
  }
}

TEST(Fastest, PicksTheLowestAverageLatency) {
  auto policy = Compile(Route(kNoExplore));
  const std::map<std::string, int64_t> ms = {{"a", 900}, {"b", 300}, {"c", 600}};
  Measure(*policy, ms);
  EXPECT_EQ(Pick(*policy, {"a", "b", "c"}, 1), "b");
  EXPECT_EQ(Pick(*policy, {"a", "c"}, 1), "c");
}

TEST(Fastest, LoadInFlightSpreadsPicksInProportionToSpeed) {
  auto policy = Compile(Route(kNoExplore));
  Measure(*policy, {{"a", 900}, {"b", 300}});
  // Without records coming back, b takes picks while 300 * (n + 1) <= 900 (ties go to the
  // account with fewer picks in flight): b b a, then b's queue of 3 costs 1200 > 900 * 2.
  std::map<std::string, int> picks;
  for (int i = 0; i < 12; ++i) ++picks[Pick(*policy, {"a", "b"}, 1)];
  // Scores stay within one step of each other: b's queue ends 3 times as long as a's.
  EXPECT_EQ(picks["b"], 9);
  EXPECT_EQ(picks["a"], 3);
}

// A pick whose record never comes (most records of plain requests are lost, issue 10)
// stops counting in flight once its request has surely ended: twice the longest latency
// recently reported for its account.
TEST(Fastest, APickWhoseRecordIsLostStopsCountingAfterTwiceTheLongestLatency) {
  auto policy = Compile(Route(kNoExplore));
  Measure(*policy, {{"a", 10'000}, {"b", 10'000}});  // both: picks expire after 20 s
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 20), "b");  // at 20 s all still count: a 2, b 1
  // At 22 s the picks of 1 s have expired: a has none, b its pick of 20 s.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 22), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 22), "a");  // a 1, b 1: a tie, to the lowest ID
}

TEST(Fastest, PicksInFlightExpireNoSoonerThanASecondNorLaterThanFifteenMinutes) {
  auto quick = Compile(Route(kNoExplore));
  Measure(*quick, {{"a", 1}, {"b", 1}});  // 1 ms: 2 ms would be too short to mean anything
  EXPECT_EQ(Pick(*quick, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*quick, {"a", "b"}, 1.5), "b");  // a's pick still counts after 0.5 s
  EXPECT_EQ(Pick(*quick, {"a", "b"}, 2.2), "a");  // a's expired after 1 s, b's not yet

  auto slow = Compile(Route(kNoExplore));
  Measure(*slow, {{"a", 3'600'000}, {"b", 3'600'000}});  // an hour: two would be too long
  EXPECT_EQ(Pick(*slow, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*slow, {"a", "b"}, 14 * 60), "b");
  EXPECT_EQ(Pick(*slow, {"a", "b"}, 16 * 60 + 2), "a");
}

TEST(Fastest, AnAccountNeverMeasuredGetsAFirstPickThenCompetes) {
  auto policy = Compile(Route(kNoExplore));
  Measure(*policy, {{"a", 900}, {"b", 300}});
  EXPECT_EQ(Pick(*policy, {"a", "b", "new"}, 1), "new");
  EXPECT_EQ(Pick(*policy, {"a", "b", "new"}, 1), "b");
  // Once measured slow, it is left alone.
  policy->ObserveUsage(UsageBuilder("new", 10).LatencyMs(5000), Mono(2));
  for (int i = 0; i < 3; ++i) EXPECT_NE(Pick(*policy, {"a", "b", "new"}, 2), "new");
}

TEST(Fastest, WithNothingMeasuredItSpreadsByLoadInIdOrder) {
  auto policy = Compile(Route(kNoExplore));
  std::vector<std::string> seq;
  for (int i = 0; i < 6; ++i) seq.push_back(Pick(*policy, {"c", "a", "b"}, 0));
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
}

TEST(Fastest, TtftIsMeasuredWhenAsked) {
  auto by_latency = Compile(Route("    latency: {explore: 0}\n"));
  auto by_ttft = Compile(Route("    latency: {explore: 0, measure: ttft}\n"));
  for (auto* policy : {by_latency.get(), by_ttft.get()}) {
    // a starts answering quickly but writes a long answer; b is slow to start.
    policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(8000).TtftMs(200), Mono(0));
    policy->ObserveUsage(UsageBuilder("b", 10).LatencyMs(3000).TtftMs(1500), Mono(0));
    // c reports no TTFT: its latency stands in.
    policy->ObserveUsage(UsageBuilder("c", 10).LatencyMs(1000), Mono(0));
  }
  EXPECT_EQ(Pick(*by_latency, {"a", "b"}, 1), "b");
  EXPECT_EQ(Pick(*by_ttft, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*by_ttft, {"b", "c"}, 1), "c");
}

TEST(Fastest, AFailureCountsAsAtLeastThePenalty) {
  auto policy = Compile(Route("    latency: {explore: 0, failure_penalty: 20s}\n"));
  // a answers 429 in 40 ms; b really works, in 4 s.
  policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(40).Failed(429), Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 10).LatencyMs(4000), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  auto no_penalty = Compile(Route("    latency: {explore: 0, failure_penalty: 0}\n"));
  no_penalty->ObserveUsage(UsageBuilder("a", 10).LatencyMs(40).Failed(429), Mono(0));
  no_penalty->ObserveUsage(UsageBuilder("b", 10).LatencyMs(4000), Mono(0));
  EXPECT_EQ(Pick(*no_penalty, {"a", "b"}, 1), "a");
}

TEST(Fastest, OldSamplesFadeWithTheHalfLife) {
  auto policy = Compile(Route("    latency: {explore: 0, half_life: 1m}\n"));
  // a was fast an hour ago and is slow now; b has been steady at 900 ms.
  policy->ObserveUsage(UsageBuilder("a", 0).LatencyMs(100), Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 0).LatencyMs(900), Mono(0));
  policy->ObserveUsage(UsageBuilder("a", 3600).LatencyMs(1000), Mono(0));
  // A plain mean would make a 550 ms and pick it; the hour-old sample weighs 2^-60.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  auto slow_fade = Compile(Route("    latency: {explore: 0, half_life: 100h}\n"));
  slow_fade->ObserveUsage(UsageBuilder("a", 0).LatencyMs(100), Mono(0));
  slow_fade->ObserveUsage(UsageBuilder("b", 0).LatencyMs(900), Mono(0));
  slow_fade->ObserveUsage(UsageBuilder("a", 3600).LatencyMs(1000), Mono(0));
  EXPECT_EQ(Pick(*slow_fade, {"a", "b"}, 1), "a");
}

TEST(Fastest, SamplesEndingTogetherWeighTheSame) {
  auto policy = Compile(Route(kNoExplore));
  // Two requests of a end at the same moment: 100 ms and 500 ms average 300 ms.
  policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(100), Mono(0));
  policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(500), Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 10).LatencyMs(320), Mono(0));
  policy->ObserveUsage(UsageBuilder("c", 10).LatencyMs(280), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "c"}, 2), "c");
}

TEST(Fastest, ExplorationRevisitsTheLeastRecentlyMeasuredAccount) {
  auto policy = Compile(Route("    latency: {explore: 0.25}\n"));
  // b was measured slow long ago; a is fast and fresh, and answers every pick at once.
  policy->ObserveUsage(UsageBuilder("b", 0).LatencyMs(5000), Mono(0));
  policy->ObserveUsage(UsageBuilder("a", 600).LatencyMs(100), Mono(0));
  std::vector<std::string> seq;
  for (int i = 0; i < 8; ++i) {
    const std::string id = Pick(*policy, {"a", "b"}, 1);
    seq.push_back(id);
    // Each request reports back before the next pick (b's as slow and as old as before).
    if (id == "a") policy->ObserveUsage(UsageBuilder("a", 600).LatencyMs(100), Mono(1));
    if (id == "b") policy->ObserveUsage(UsageBuilder("b", 0).LatencyMs(5000), Mono(1));
  }
  // Every 4th pick re-measures b.
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "a", "a", "b", "a", "a", "a", "b"}));
}

TEST(Fastest, ExplorationSkipsAnAccountAlreadyBeingReMeasured) {
  auto policy = Compile(Route("    latency: {explore: 0.5}\n"));
  policy->ObserveUsage(UsageBuilder("c", 0).LatencyMs(5000), Mono(0));    // oldest sample
  policy->ObserveUsage(UsageBuilder("b", 300).LatencyMs(5000), Mono(0));  // then b
  policy->ObserveUsage(UsageBuilder("a", 600).LatencyMs(100), Mono(0));   // fast, fresh
  std::vector<std::string> seq;
  for (int i = 0; i < 4; ++i) seq.push_back(Pick(*policy, {"a", "b", "c"}, 1));
  // Every 2nd pick explores: first c (oldest sample); c's record has not come back when
  // the next exploration comes, so it goes to b rather than to c again.
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "c", "a", "b"}));
}

TEST(Fastest, AVanishinglySmallExploreNeverExplores) {
  auto policy = Compile(Route("    latency: {explore: 1e-30}\n"));
  Measure(*policy, {{"a", 100}, {"b", 5000}});
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
    policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(100), Mono(1));
  }
}

TEST(Fastest, AveragesSurviveAReconfigureThatKeepsTheirSettings) {
  auto first = Compile(Route(kNoExplore));
  Measure(*first, {{"a", 900}, {"b", 300}});
  auto same = Compile(Route("    latency: {explore: 0.01}\n"), first.get());
  EXPECT_EQ(Pick(*same, {"a", "b"}, 1), "b");
  auto other = Compile(Route("    latency: {explore: 0, measure: ttft}\n"), same.get());
  EXPECT_EQ(Pick(*other, {"a", "b"}, 1), "a");  // nothing measured: ID order
}

TEST(Fastest, ASampleFromCenturiesAgoDoesNotSpoilAnAverage) {
  auto policy = Compile(Route(kNoExplore));
  Measure(*policy, {{"a", 100}, {"b", 500}});
  UsageBuilder ancient("a");
  ancient.LatencyMs(100).record.requested_at = "1700-01-01T00:00:00Z";  // a garbage RequestedAt
  policy->ObserveUsage(ancient, Mono(0));
  // It weighs nothing next to a's sample of 2025: a is still 100 ms against b's 500 ms,
  // whichever order the pool comes in.
  EXPECT_EQ(Pick(*policy, {"b", "a"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
}

TEST(Fastest, ConfigErrorsNameTheKey) {
  EXPECT_NE(CompileError(Route("    latency: {measure: speed}\n"))
                .find("routes[0].latency.measure: line 4, column 24: unknown measure \"speed\""),
            std::string::npos)
      << CompileError(Route("    latency: {measure: speed}\n"));
  EXPECT_NE(CompileError(Route("    latency: {explore: 1.5}\n")).find("routes[0].latency.explore"),
            std::string::npos);
  EXPECT_NE(CompileError(Route("    latency: {half_life: 0}\n")).find("must be at least 1s"),
            std::string::npos);
  EXPECT_NE(CompileError(Route("    latency: {failure_penalty: -1s}\n"))
                .find("routes[0].latency.failure_penalty"),
            std::string::npos);
  EXPECT_NE(CompileError("routes:\n  - name: r\n    strategy: weighted\n    latency: {}\n")
                .find("`latency` is only read by strategy `fastest`"),
            std::string::npos);
}

// The file store's body of the averages: a round trip keeps them; a truncated or extended
// body is rejected and changes nothing.
TEST(Fastest, SavedAveragesRoundTripAndDamageChangesNothing) {
  LatencyAverages saved(LatencyAverages::Settings{}, "fast");
  saved.Observe(UsageBuilder("a", 0).LatencyMs(900), Mono(0));
  saved.Observe(UsageBuilder("b", 0).LatencyMs(100), Mono(0));
  const StoreTime t{Mono(1), 0};
  const std::string body = saved.Save(t);
  EXPECT_EQ(saved.StoreName(), "fastest/fast/latency/300000/30000");

  LatencyAverages restored(LatencyAverages::Settings{}, "fast");
  ASSERT_TRUE(restored.Restore(body, t));
  EXPECT_DOUBLE_EQ(restored.Read(Hash64("a"), Mono(1)).average_ns, 900e6);
  EXPECT_DOUBLE_EQ(restored.Read(Hash64("b"), Mono(1)).average_ns, 100e6);
  for (size_t n = 0; n < body.size(); ++n) {
    LatencyAverages damaged(LatencyAverages::Settings{}, "fast");
    EXPECT_FALSE(damaged.Restore(body.substr(0, n), t)) << n;
    EXPECT_EQ(damaged.accounts(), 0u) << n;
  }
  LatencyAverages longer(LatencyAverages::Settings{}, "fast");
  EXPECT_FALSE(longer.Restore(body + "x", t));
  EXPECT_EQ(longer.accounts(), 0u);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// least-used: the account with the least usage in the window, from usage records.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string Route(const std::string& usage) {
  return "routes:\n  - name: spread\n    strategy: least-used\n" + usage;
}

std::string Pick(const Policy& policy, const std::vector<std::string>& ids, double at) {
  return Chosen(policy.Pick(Request(ids), Mono(at)));
}

// The key of the smallest value, ties to the smallest key (the strategy's own tie rule).
std::string ArgMin(const std::map<std::string, int64_t>& values) {
  return std::min_element(values.begin(), values.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

TEST(LeastUsed, PicksTheAccountWithTheFewestTokensInTheWindow) {
  auto policy = Compile(Route(""));
  const std::map<std::string, int64_t> tokens = {{"a", 5000}, {"b", 1200}, {"c", 3000}};
  for (const auto& [id, n] : tokens) policy->ObserveUsage(UsageBuilder(id).Tokens(n), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b", "c"}, 1), ArgMin(tokens));
  // Only the pool counts: without b the next least used wins.
  EXPECT_EQ(Pick(*policy, {"a", "c"}, 1), "c");
}

TEST(LeastUsed, RequestsAndTokensAreDifferentMeasures) {
  auto by_tokens = Compile(Route(""));
  auto by_requests = Compile(Route("    usage: {measure: requests}\n"));
  // a: three small requests; b: one large one.
  for (auto* policy : {by_tokens.get(), by_requests.get()}) {
    for (int i = 0; i < 3; ++i) policy->ObserveUsage(UsageBuilder("a", i).Tokens(10), Mono(0));
    policy->ObserveUsage(UsageBuilder("b").Tokens(50'000), Mono(0));
  }
  EXPECT_EQ(Pick(*by_tokens, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*by_requests, {"a", "b"}, 1), "b");
}

TEST(LeastUsed, TotalTokensFallBackToInputPlusOutput) {
  auto policy = Compile(Route(""));
  UsageBuilder a("a");
  a.record.detail.input_tokens = 900;
  a.record.detail.output_tokens = 300;  // 1200, more than b's 1000
  policy->ObserveUsage(a, Mono(0));
  policy->ObserveUsage(UsageBuilder("b").Tokens(1000), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
}

TEST(LeastUsed, PicksInFlightSpreadABurstBeforeAnyRecordArrives) {
  auto policy = Compile(Route("    usage: {measure: requests}\n"));
  const std::vector<std::string> pool = {"a", "b", "c", "d"};
  std::map<std::string, int> picks;
  for (int i = 0; i < 8; ++i) ++picks[Pick(*policy, pool, 0)];
  for (const std::string& id : pool) EXPECT_EQ(picks[id], 2) << id;
}

// Most records of plain requests never arrive (issue 10): a pick counts as usage for the
// whole window whether or not its record comes, so lost records do not make an account
// look idle once its picks stop counting as in flight.
TEST(LeastUsed, PicksCountForTheWindowEvenWhenTheirRecordsAreLost) {
  auto policy = Compile(Route("    usage: {measure: requests, window: 10m}\n"));
  policy->ObserveUsage(UsageBuilder("x"), Mono(0));  // the usage clock: 09:00
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "a");
  policy->ObserveUsage(UsageBuilder("b", 1), Mono(2));  // b's record; a's two are lost
  // Five minutes on, a's picks no longer count as in flight (no latency was reported: they
  // expire after 2 minutes), but they still count as a's two requests in the window.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 5 * 60), "b");
  // Eleven minutes on, every pick and record has left the 10-minute window.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 11 * 60), "a");
}

TEST(LeastUsed, ARecordTurnsAPickInFlightIntoReportedUsage) {
  auto policy = Compile(Route("    usage: {measure: requests, window: 10m}\n"));
  const std::vector<std::string> pool = {"a", "b", "c"};
  for (int i = 0; i < 6; ++i) Pick(*policy, pool, 0);  // two in flight each
  // c's record: one request reported, one still in flight: 2, like the others.
  policy->ObserveUsage(UsageBuilder("c"), Mono(1));
  EXPECT_EQ(Pick(*policy, pool, 1), "a");
  // A record of traffic the route did not pick counts too: b has 2 in flight + 2 reported.
  policy->ObserveUsage(UsageBuilder("b"), Mono(1));
  policy->ObserveUsage(UsageBuilder("b"), Mono(1));
  policy->ObserveUsage(UsageBuilder("b"), Mono(1));
  policy->ObserveUsage(UsageBuilder("b"), Mono(1));
  EXPECT_EQ(Pick(*policy, {"b", "c"}, 1), "c");
}

TEST(LeastUsed, InFlightPicksCostTheAccountsMeanTokens) {
  auto policy = Compile(Route(""));
  // a: 1000 tokens per request; b: 3500 used by one request.
  policy->ObserveUsage(UsageBuilder("a").Tokens(1000), Mono(0));
  policy->ObserveUsage(UsageBuilder("b").Tokens(3500), Mono(0));
  // a takes picks while 1000 + n * 1000 (n in flight) stays below 3500: 3 picks.
  std::vector<std::string> seq;
  for (int i = 0; i < 4; ++i) seq.push_back(Pick(*policy, {"a", "b"}, 1));
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "a", "a", "b"}));
}

TEST(LeastUsed, UsageLeavesTheWindow) {
  auto policy = Compile(Route("    usage: {window: 1h}\n"));
  policy->ObserveUsage(UsageBuilder("a", 0).Tokens(100'000), Mono(0));    // ends 09:00
  policy->ObserveUsage(UsageBuilder("b", 50 * 60).Tokens(100), Mono(0));  // ends 09:50
  // Usage time is now 09:50: a has used far more.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 0), "b");
  // 15 minutes later (10:05) a's request ended more than an hour ago; b's is still counted.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 15 * 60), "a");
}

TEST(LeastUsed, ARecordThatEndedBeforeTheWindowCountsForNothing) {
  auto policy = Compile(Route("    usage: {window: 10m}\n"));
  policy->ObserveUsage(UsageBuilder("b", 3600).Tokens(10), Mono(0));    // the clock: 10:00
  policy->ObserveUsage(UsageBuilder("a", 0).Tokens(100'000), Mono(0));  // 09:00: too old
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 0), "a");
}

TEST(LeastUsed, RecordLatencyPlacesUsageAtTheEndOfTheRequest) {
  auto policy = Compile(Route("    usage: {window: 10m}\n"));
  // Both started at 09:00; a ran for 9 minutes, so its usage ends at 09:09.
  policy->ObserveUsage(UsageBuilder("a", 0).Tokens(5000).LatencyMs(9 * 60 * 1000), Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 0).Tokens(4000), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 0), "b");
  // At 09:12 b's usage (09:00) has left the 10-minute window, a's (09:09) has not.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 3 * 60), "b");
  policy->ObserveUsage(UsageBuilder("b", 0).Tokens(0), Mono(3 * 60));  // ends b's pick
  // 09:21: a's usage has left too; both empty, ties to the lowest ID.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 21 * 60), "a");
}

TEST(LeastUsed, ALimitExcludesAccountsAndAnEmptyChoiceDeniesWith429) {
  auto policy = Compile(Route(
      "    usage: {measure: requests, limit: 2}\n"
      "    error: {status: 429, code: quota_spent, message: every account spent its quota}\n"));
  for (int i = 0; i < 2; ++i) policy->ObserveUsage(UsageBuilder("a", i), Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 0), Mono(0));
  // a is at its limit; b has room for one more (its pick counts in flight).
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  Decision d = policy->Pick(Request({"a", "b"}), Mono(1));
  ASSERT_EQ(d.kind, Decision::Kind::kError);
  EXPECT_EQ(d.error.http_status, 429);
  EXPECT_EQ(d.error.code, "quota_spent");
  // After the window (1h by default) both have room again.
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 3700), "a");
}

TEST(LeastUsed, ALimitWithWhenEmptyNextFallsThroughToTheNextRoute) {
  auto policy = Compile(
      "routes:\n"
      "  - name: budget\n"
      "    strategy: least-used\n"
      "    usage: {measure: requests, limit: 1}\n"
      "    when_empty: next\n"
      "  - name: overflow\n"
      "    strategy: fill-first\n");
  policy->ObserveUsage(UsageBuilder("a"), Mono(0));
  policy->ObserveUsage(UsageBuilder("b"), Mono(0));
  Decision d = policy->Pick(Request({"a", "b"}), Mono(1));
  EXPECT_EQ(d.rule, "routes[1] overflow");
  EXPECT_EQ(d.auth_id, "a");
}

TEST(LeastUsed, UsageOfAccountsOutsideThePoolIsKeptForWhenTheyJoin) {
  auto policy = Compile(Route(""));
  policy->ObserveUsage(UsageBuilder("a").Tokens(50), Mono(0));
  policy->ObserveUsage(UsageBuilder("c").Tokens(9000), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");  // b: no usage at all
  // c joins with its usage: it is not mistaken for a fresh account.
  EXPECT_NE(Pick(*policy, {"a", "c"}, 1), "c");
}

TEST(LeastUsed, UsageSurvivesAReconfigureThatKeepsTheRouteAndItsWindow) {
  auto first = Compile(Route("    usage: {window: 1h}\n"));
  first->ObserveUsage(UsageBuilder("a").Tokens(7000), Mono(0));
  auto same = Compile(Route("    usage: {window: 1h, limit: 100000}\n"), first.get());
  EXPECT_EQ(Pick(*same, {"a", "b"}, 1), "b");
  auto other_window = Compile(Route("    usage: {window: 2h}\n"), same.get());
  EXPECT_EQ(Pick(*other_window, {"a", "b"}, 1), "a");  // a fresh window: ties to the lowest ID
}

TEST(LeastUsed, RecordsWithoutATimeCountNow) {
  auto policy = Compile(Route("    usage: {window: 10m}\n"));
  UsageBuilder a("a");
  a.record.requested_at = "0001-01-01T00:00:00Z";  // Go's zero time.Time
  a.Tokens(5000);
  policy->ObserveUsage(a, Mono(0));
  UsageBuilder b("b");
  b.record.requested_at = "";
  b.Tokens(100);
  policy->ObserveUsage(b, Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  // Ten minutes on the monotonic clock later both have left the window.
  policy->ObserveUsage(UsageBuilder("", 0), Mono(1));  // a record of no account: ignored
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 11 * 60), "a");
}

TEST(LeastUsed, PolicyReadsUsageOnlyWithAUsageRoute) {
  EXPECT_FALSE(Compile("auth_id: a\n")->reads_usage());
  EXPECT_FALSE(Compile("routes:\n  - name: r\n    strategy: round-robin\n")->reads_usage());
  EXPECT_TRUE(Compile(Route(""))->reads_usage());
  EXPECT_TRUE(Compile("routes:\n  - name: r\n    strategy: sticky\n"
                      "    session: {fallback: least-used}\n")
                  ->reads_usage());
}

TEST(LeastUsed, AsStickyFallbackItServesRequestsWithoutASessionKey) {
  auto policy = Compile(
      "routes:\n  - name: r\n    strategy: sticky\n    session: {fallback: least-used}\n"
      "    usage: {measure: requests}\n");
  policy->ObserveUsage(UsageBuilder("a"), Mono(0));
  policy->ObserveUsage(UsageBuilder("a", 1), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
}

TEST(LeastUsed, AbsurdTokenCountsDoNotWrapAroundToLittleUsage) {
  auto policy = Compile(Route(""));
  // A provider that reports garbage: the most tokens an int64 holds, then one more.
  policy->ObserveUsage(UsageBuilder("a").Tokens(std::numeric_limits<int64_t>::max()), Mono(0));
  policy->ObserveUsage(UsageBuilder("a").Tokens(1), Mono(0));
  UsageBuilder parts("a");
  parts.record.detail.input_tokens = std::numeric_limits<int64_t>::max();
  parts.record.detail.output_tokens = std::numeric_limits<int64_t>::max();
  policy->ObserveUsage(parts, Mono(0));
  policy->ObserveUsage(UsageBuilder("b").Tokens(1000), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 1), "b");
  EXPECT_EQ(Pick(*policy, {"a", "b"}, 2), "b");
}

TEST(LeastUsed, ConfigErrorsNameTheKey) {
  EXPECT_NE(CompileError(Route("    usage: {measure: dollars}\n"))
                .find("routes[0].usage.measure: line 4, column 22: unknown measure \"dollars\""),
            std::string::npos)
      << CompileError(Route("    usage: {measure: dollars}\n"));
  EXPECT_NE(CompileError(Route("    usage: {window: 500ms}\n")).find("must be at least 1s"),
            std::string::npos);
  EXPECT_NE(CompileError(Route("    usage: {window: soon}\n")).find("routes[0].usage.window"),
            std::string::npos);
  EXPECT_NE(CompileError(Route("    usage: {limit: -1}\n")).find("routes[0].usage.limit"),
            std::string::npos);
  EXPECT_NE(CompileError(Route("    usage: {budget: 1}\n")).find("unknown key `budget`"),
            std::string::npos);
  EXPECT_NE(CompileError("routes:\n  - name: r\n    strategy: round-robin\n    usage: {}\n")
                .find("`usage` is only read by strategy `least-used`"),
            std::string::npos);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

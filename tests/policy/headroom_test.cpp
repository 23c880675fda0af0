// headroom: accounts spent or refused by their upstream are left out until their reset;
// the others are spent soonest reset first (or most headroom first); accounts nothing is
// known about are tried. Usage records carry the headers (usage_test_util.hpp: At(s) is
// 2025-06-02T09:00:00Z + s, and the usage clock follows the records' times).
#include <gtest/gtest.h>

#include <string>

#include "base/rfc3339.hpp"
#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string Route(const std::string& extra = "") {
  return "routes:\n  - name: plans\n    strategy: headroom\n" + extra;
}

// Unix seconds of At(seconds), as Anthropic's unified resets are written.
std::string UnixAt(int seconds) {
  return std::to_string(*ParseRfc3339(At(0)) / 1'000'000'000 + seconds);
}

// A Claude subscription's answer at At(at): its 5-hour window `used` (0..1) resetting at
// At(reset).
UsageBuilder Claude(const std::string& auth, int at, double used, int reset) {
  UsageBuilder b(auth, at);
  b.Header("anthropic-ratelimit-unified-status", used >= 1 ? "rejected" : "allowed")
      .Header("anthropic-ratelimit-unified-5h-status", used >= 1 ? "rejected" : "allowed")
      .Header("anthropic-ratelimit-unified-5h-utilization", std::to_string(used))
      .Header("anthropic-ratelimit-unified-5h-reset", UnixAt(reset));
  return b;
}

// A record that only moves the usage clock to At(at) (an account outside the pools).
UsageBuilder Tick(int at) { return UsageBuilder("elsewhere", at); }

std::string Pick(const Policy& policy, const std::vector<std::string>& ids) {
  return Chosen(policy.Pick(Request(ids), Mono(0)));
}

TEST(Headroom, AccountsNothingIsKnownAboutAreTriedOnePickInFlightAtATime) {
  auto policy = Compile(Route());
  EXPECT_EQ(Pick(*policy, {"b", "a"}), "a");
  EXPECT_EQ(Pick(*policy, {"b", "a"}), "b");  // a has a pick in flight
  EXPECT_EQ(Pick(*policy, {"b", "a"}), "a");  // both busy: fewest in flight, then ID
  // An account described by its headers comes after one not tried yet.
  policy->ObserveUsage(Claude("c", 0, 0.1, 3600), Mono(0));
  EXPECT_EQ(Pick(*policy, {"c", "d"}), "d");
  EXPECT_EQ(Pick(*policy, {"c", "d"}), "c");
}

TEST(Headroom, SpendsFirstTheCapacityThatWouldExpireSoonest) {
  auto policy = Compile(Route());
  // Share left per hour until the reset: a 0.70/4h, b 0.40/1h, c 0.90/2h, d 0.08/0.5h.
  policy->ObserveUsage(Claude("a", 0, 0.30, 4 * 3600), Mono(0));
  policy->ObserveUsage(Claude("b", 0, 0.60, 1 * 3600), Mono(0));
  policy->ObserveUsage(Claude("c", 0, 0.10, 2 * 3600), Mono(0));
  policy->ObserveUsage(Claude("d", 0, 0.92, 1800), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b", "c", "d"}), "c");
  EXPECT_EQ(Pick(*policy, {"a", "b", "c", "d"}), "c");  // known accounts take every pick
  EXPECT_EQ(Pick(*policy, {"a", "b", "d"}), "b");
  // Nearly spent and resetting soon: little would expire, so it comes after a.
  EXPECT_EQ(Pick(*policy, {"a", "d"}), "a");
}

TEST(Headroom, WithAsMuchLeftTheWindowThatResetsSoonestGoesFirst) {
  auto policy = Compile(Route());
  policy->ObserveUsage(Claude("a", 0, 0.50, 3 * 3600), Mono(0));
  policy->ObserveUsage(Claude("b", 0, 0.50, 2 * 3600), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");
}

TEST(Headroom, AWindowThatStartedAfreshIsSpentAsAFullWindowResettingOneLengthFromNow) {
  auto policy = Compile(Route());
  policy->ObserveUsage(Claude("a", 0, 0.90, 600), Mono(0));             // resets at 10m
  policy->ObserveUsage(Claude("b", 0, 0.20, 6 * 3600), Mono(0));        // 0.80 over 6h
  policy->ObserveUsage(Claude("c", 0, 0.50, 4 * 3600 + 600), Mono(0));  // 0.50 over 4h
  policy->ObserveUsage(Tick(600), Mono(0));
  // a: 1.0 over the next 5h (0.2/h), ahead of b (0.8/5h50m) and c (0.5/4h).
  EXPECT_EQ(Pick(*policy, {"a", "b", "c"}), "a");
}

TEST(Headroom, MostHeadroomSpendsTheLeastUsedAccountFirst) {
  auto policy = Compile(Route("    quota: {prefer: most-headroom}\n"));
  policy->ObserveUsage(Claude("a", 0, 0.30, 4 * 3600), Mono(0));
  policy->ObserveUsage(Claude("b", 0, 0.60, 1 * 3600), Mono(0));
  policy->ObserveUsage(Claude("c", 0, 0.10, 2 * 3600), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b", "c"}), "c");
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "a");
}

TEST(Headroom, AnAccountAtMaxUtilizationIsLeftOutUntilItsWindowResets) {
  auto policy = Compile(Route());
  policy->ObserveUsage(Claude("a", 0, 0.96, 3600), Mono(0));  // over the default 0.95
  policy->ObserveUsage(Claude("b", 0, 0.20, 3 * 3600), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");  // when_empty: deny
  policy->ObserveUsage(Tick(3599), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");
  policy->ObserveUsage(Tick(3600), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, MaxUtilizationIsTheOperatorsMargin) {
  auto strict = Compile(Route("    quota: {max_utilization: 0.5}\n"));
  auto lax = Compile(Route("    quota: {max_utilization: 1}\n"));
  for (auto* policy : {strict.get(), lax.get()}) {
    policy->ObserveUsage(Claude("a", 0, 0.6, 3600), Mono(0));
    policy->ObserveUsage(Claude("s", 0, 1.0, 3600), Mono(0));  // spent: out for both
  }
  EXPECT_EQ(Pick(*strict, {"a", "s"}), "<error auth_unavailable>");
  EXPECT_EQ(Pick(*lax, {"a", "s"}), "a");
}

TEST(Headroom, A429WithRetryAfterKeepsTheAccountOutThatLong) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0).Failed(429).Header("Retry-After", "120"), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");
  policy->ObserveUsage(Tick(119), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");
  policy->ObserveUsage(Tick(120), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, A529OverloadWithAnHttpDateKeepsTheAccountOutUntilThen) {
  auto policy = Compile(Route());
  policy->ObserveUsage(
      UsageBuilder("a", 0).Failed(529).Header("retry-after", "Mon, 02 Jun 2025 09:05:00 GMT"),
      Mono(0));
  policy->ObserveUsage(Tick(299), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");
  policy->ObserveUsage(Tick(300), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, ARequestServedAfterARefusalEndsIt) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0).Failed(429).Header("Retry-After", "600"), Mono(0));
  policy->ObserveUsage(UsageBuilder("a", 10).LatencyMs(2000), Mono(0));  // sent by another route
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, ARejectedPlanWindowIsOutUntilItsReset) {
  auto policy = Compile(Route());
  policy->ObserveUsage(Claude("a", 0, 1.0, 1800).Failed(429), Mono(0));
  policy->ObserveUsage(Tick(1799), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");
  policy->ObserveUsage(Tick(1800), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, CodexPrimaryAndSecondaryWindows) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0)
                           .Header("x-codex-primary-used-percent", "97")
                           .Header("x-codex-primary-window-minutes", "300")
                           .Header("x-codex-primary-reset-after-seconds", "900")
                           .Header("x-codex-secondary-used-percent", "40")
                           .Header("x-codex-secondary-window-minutes", "10080")
                           .Header("x-codex-secondary-reset-after-seconds", "300000"),
                       Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 0)
                           .Header("x-codex-primary-used-percent", "10")
                           .Header("x-codex-primary-reset-after-seconds", "3600")
                           .Header("x-codex-secondary-used-percent", "96")
                           .Header("x-codex-secondary-reset-after-seconds", "7200"),
                       Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "<error auth_unavailable>");  // each over on one window
  policy->ObserveUsage(Tick(900), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "a");
}

TEST(Headroom, OpenAiRequestAndTokenWindows) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0)
                           .Header("x-ratelimit-limit-requests", "500")
                           .Header("x-ratelimit-remaining-requests", "499")
                           .Header("x-ratelimit-reset-requests", "120ms")
                           .Header("x-ratelimit-limit-tokens", "30000")
                           .Header("x-ratelimit-remaining-tokens", "1000")
                           .Header("x-ratelimit-reset-tokens", "58s"),
                       Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");  // tokens 97% used
  policy->ObserveUsage(Tick(58), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, AnthropicApiWindows) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0)
                           .Header("anthropic-ratelimit-requests-limit", "50")
                           .Header("anthropic-ratelimit-requests-remaining", "1")
                           .Header("anthropic-ratelimit-requests-reset", At(30)),
                       Mono(0));
  policy->ObserveUsage(UsageBuilder("b", 0)
                           .Header("anthropic-ratelimit-input-tokens-limit", "40000")
                           .Header("anthropic-ratelimit-input-tokens-remaining", "39000")
                           .Header("anthropic-ratelimit-input-tokens-reset", At(45)),
                       Mono(0));
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "b");
  policy->ObserveUsage(Tick(30), Mono(0));
  EXPECT_EQ(Pick(*policy, {"a"}), "a");
}

TEST(Headroom, MalformedHeadersAreIgnored) {
  auto policy = Compile(Route());
  policy->ObserveUsage(UsageBuilder("a", 0)
                           .Header("anthropic-ratelimit-unified-5h-utilization", "lots")
                           .Header("anthropic-ratelimit-unified-5h-reset", "soon")
                           .Header("x-codex-primary-used-percent", "NaN")
                           .Header("x-ratelimit-remaining-tokens", "-5")
                           .Header("x-ratelimit-limit-tokens", "0")
                           .Failed(429)
                           .Header("retry-after", "later"),
                       Mono(0));
  policy->ObserveUsage(Claude("b", 0, 0.5, 600), Mono(0));
  // Nothing usable about a: it is tried (first, as an account not tried yet).
  EXPECT_EQ(Pick(*policy, {"a", "b"}), "a");
}

TEST(Headroom, AnOlderRecordDoesNotOverwriteANewerWindow) {
  auto policy = Compile(Route());
  policy->ObserveUsage(Claude("a", 100, 0.99, 3600), Mono(0));
  policy->ObserveUsage(Claude("a", 50, 0.10, 3600), Mono(0));  // arrived late
  EXPECT_EQ(Pick(*policy, {"a"}), "<error auth_unavailable>");
}

TEST(Headroom, TheQuotaStateSurvivesAReconfigureThatKeepsTheRouteName) {
  auto first = Compile(Route());
  first->ObserveUsage(Claude("a", 0, 0.99, 3600), Mono(0));
  auto second = Compile(Route("    quota: {prefer: most-headroom}\n"), first.get());
  EXPECT_EQ(Pick(*second, {"a", "b"}), "b");
}

TEST(Headroom, ConfigErrorsNameTheKeyAndItsPosition) {
  EXPECT_EQ(CompileError(Route("    quota: {max_utilization: 1.5}\n")),
            "routes[0].quota.max_utilization: line 4, column 30: must be a share above 0 and at "
            "most 1 (0.95: leave out an account once a window is 95% used)");
  EXPECT_EQ(CompileError(Route("    quota: {prefer: latest}\n")),
            "routes[0].quota.prefer: line 4, column 21: unknown value \"latest\" (known: "
            "soonest-reset, most-headroom)");
  EXPECT_NE(CompileError(Route("    quota: {max: 1}\n")).find("unknown key `max` in `quota`"),
            std::string::npos)
      << CompileError(Route("    quota: {max: 1}\n"));
  EXPECT_EQ(CompileError("routes:\n  - name: r\n    strategy: round-robin\n    quota: {}\n"),
            "routes[0].quota: line 4, column 12: `quota` is only read by strategy `headroom`, and "
            "this route uses `round-robin`");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

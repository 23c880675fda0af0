// ReadRateLimitHeaders on response headers as the providers send them (values recorded from
// real responses and the providers' documentation), and on malformed ones.
#include "scheduler/quota/rate_limit_headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "base/rfc3339.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

HeaderMap Headers(std::vector<std::pair<std::string, std::string>> pairs) {
  HeaderMap h;
  for (auto& [name, value] : pairs) {
    Slice<std::string> values;
    values.push_back(std::move(value));
    h.Set(name, std::move(values));
  }
  return h;
}

const QuotaWindow* Window(const QuotaObservation& o, const std::string& name) {
  for (const QuotaWindow& w : o.windows) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

TEST(RateLimitHeaders, AnthropicApiWindowsWithRfc3339Resets) {
  const int64_t now = *ParseRfc3339("2025-08-21T12:40:30Z");
  QuotaObservation o = ReadRateLimitHeaders(
      Headers({{"Anthropic-Ratelimit-Input-Tokens-Limit", "80000"},
               {"Anthropic-Ratelimit-Input-Tokens-Remaining", "20000"},
               {"Anthropic-Ratelimit-Input-Tokens-Reset", "2025-08-21T12:40:59Z"},
               {"Anthropic-Ratelimit-Requests-Limit", "1000"},
               {"Anthropic-Ratelimit-Requests-Remaining", "999"},
               {"Anthropic-Ratelimit-Requests-Reset", "2025-08-21T12:40:59Z"}}),
      200, now);
  const QuotaWindow* input = Window(o, "input-tokens");
  ASSERT_NE(input, nullptr);
  EXPECT_DOUBLE_EQ(*input->utilization, 0.75);
  EXPECT_EQ(*input->reset_unix_ns, now + 29 * kSecond);
  EXPECT_DOUBLE_EQ(*Window(o, "requests")->utilization, 0.001);
  EXPECT_EQ(Window(o, "tokens"), nullptr);  // not sent: no window
  EXPECT_FALSE(o.refused_until_unix_ns);
}

TEST(RateLimitHeaders, AnthropicPlanWindowsAndARejectedOneKeepTheAccountOutUntilItsReset) {
  const int64_t now = 1765930000 * kSecond;
  QuotaObservation o = ReadRateLimitHeaders(
      Headers({{"anthropic-ratelimit-unified-status", "allowed"},
               {"anthropic-ratelimit-unified-5h-status", "allowed"},
               {"anthropic-ratelimit-unified-5h-utilization", "0.042598363636363636"},
               {"anthropic-ratelimit-unified-5h-reset", "1765944000"},
               {"anthropic-ratelimit-unified-7d-status", "allowed"},
               {"anthropic-ratelimit-unified-7d-utilization", "0.3068459187383675"},
               {"anthropic-ratelimit-unified-7d-reset", "1766030400"}}),
      200, now);
  ASSERT_EQ(o.windows.size(), 2u);
  EXPECT_NEAR(*Window(o, "5h")->utilization, 0.0426, 1e-4);
  EXPECT_EQ(*Window(o, "5h")->reset_unix_ns, 1765944000 * kSecond);
  EXPECT_EQ(*Window(o, "5h")->length_ns, 5 * 3600 * kSecond);
  EXPECT_EQ(*Window(o, "7d")->length_ns, 7 * 24 * 3600 * kSecond);
  EXPECT_FALSE(o.refused_until_unix_ns);

  QuotaObservation rejected =
      ReadRateLimitHeaders(Headers({{"anthropic-ratelimit-unified-status", "rejected"},
                                    {"anthropic-ratelimit-unified-5h-status", "rejected"},
                                    {"anthropic-ratelimit-unified-5h-utilization", "1.0"},
                                    {"anthropic-ratelimit-unified-5h-reset", "1765944000"}}),
                           429, now);
  EXPECT_TRUE(Window(rejected, "5h")->rejected);
  EXPECT_EQ(rejected.refused_until_unix_ns, 1765944000 * kSecond);
}

TEST(RateLimitHeaders, APlanRefusalLastsUntilTheResetOfTheRejectedWindowNotOfTheOthers) {
  const int64_t now = 1765930000 * kSecond;
  QuotaObservation five_hours =
      ReadRateLimitHeaders(Headers({{"anthropic-ratelimit-unified-status", "rejected"},
                                    {"anthropic-ratelimit-unified-5h-status", "rejected"},
                                    {"anthropic-ratelimit-unified-5h-utilization", "1.0"},
                                    {"anthropic-ratelimit-unified-5h-reset", "1765944000"},
                                    {"anthropic-ratelimit-unified-7d-status", "allowed"},
                                    {"anthropic-ratelimit-unified-7d-utilization", "0.4"},
                                    {"anthropic-ratelimit-unified-7d-reset", "1766400000"}}),
                           429, now);
  EXPECT_EQ(five_hours.refused_until_unix_ns, 1765944000 * kSecond);
  // Rejected overall, no window named: the overall reset, else the latest plan reset.
  QuotaObservation overall =
      ReadRateLimitHeaders(Headers({{"anthropic-ratelimit-unified-status", "rejected"},
                                    {"anthropic-ratelimit-unified-reset", "1765950000"},
                                    {"anthropic-ratelimit-unified-5h-reset", "1765944000"},
                                    {"anthropic-ratelimit-unified-7d-reset", "1766400000"}}),
                           429, now);
  EXPECT_EQ(overall.refused_until_unix_ns, 1765950000 * kSecond);
  QuotaObservation unnamed =
      ReadRateLimitHeaders(Headers({{"anthropic-ratelimit-unified-status", "rejected"},
                                    {"anthropic-ratelimit-unified-5h-reset", "1765944000"},
                                    {"anthropic-ratelimit-unified-7d-reset", "1766400000"}}),
                           429, now);
  EXPECT_EQ(unnamed.refused_until_unix_ns, 1766400000 * kSecond);
}

TEST(RateLimitHeaders, OpenAiResetsAreDurationsFromNow) {
  const int64_t now = 1'000'000 * kSecond;
  QuotaObservation o = ReadRateLimitHeaders(Headers({{"x-ratelimit-limit-requests", "10000"},
                                                     {"x-ratelimit-remaining-requests", "9999"},
                                                     {"x-ratelimit-reset-requests", "6m0s"},
                                                     {"x-ratelimit-limit-tokens", "200000"},
                                                     {"x-ratelimit-remaining-tokens", "50000"},
                                                     {"x-ratelimit-reset-tokens", "1.5s"}}),
                                            200, now);
  EXPECT_EQ(*Window(o, "requests")->reset_unix_ns, now + 360 * kSecond);
  EXPECT_DOUBLE_EQ(*Window(o, "tokens")->utilization, 0.75);
  EXPECT_EQ(*Window(o, "tokens")->reset_unix_ns, now + 1500 * 1'000'000);
}

TEST(RateLimitHeaders, CodexPrimaryAndSecondaryWindows) {
  const int64_t now = 2'000'000 * kSecond;
  QuotaObservation o =
      ReadRateLimitHeaders(Headers({{"x-codex-primary-used-percent", "19"},
                                    {"x-codex-primary-window-minutes", "300"},
                                    {"x-codex-primary-reset-after-seconds", "15780"},
                                    {"x-codex-secondary-used-percent", "89.5"},
                                    {"x-codex-secondary-window-minutes", "10080"},
                                    {"x-codex-secondary-reset-after-seconds", "343080"}}),
                           200, now);
  EXPECT_DOUBLE_EQ(*Window(o, "primary")->utilization, 0.19);
  EXPECT_EQ(*Window(o, "primary")->length_ns, 300 * 60 * kSecond);
  EXPECT_EQ(*Window(o, "primary")->reset_unix_ns, now + 15780 * kSecond);
  EXPECT_DOUBLE_EQ(*Window(o, "secondary")->utilization, 0.895);
}

TEST(RateLimitHeaders, RetryAfterOnA429InSecondsOrAsAnHttpDate) {
  const int64_t now = *ParseRfc3339("2026-12-05T12:39:35Z");
  EXPECT_EQ(
      ReadRateLimitHeaders(Headers({{"Retry-After", "7999"}}), 429, now).refused_until_unix_ns,
      now + 7999 * kSecond);
  EXPECT_EQ(
      ReadRateLimitHeaders(Headers({{"Retry-After", "Sat, 05 Dec 2026 12:49:35 GMT"}}), 529, now)
          .refused_until_unix_ns,
      now + 600 * kSecond);
  // Only a refusal makes retry-after binding.
  EXPECT_FALSE(
      ReadRateLimitHeaders(Headers({{"Retry-After", "30"}}), 200, now).refused_until_unix_ns);
}

TEST(RateLimitHeaders, MalformedOrImplausibleValuesAreIgnored) {
  const int64_t now = 1'000'000 * kSecond;
  QuotaObservation o = ReadRateLimitHeaders(
      Headers({{"anthropic-ratelimit-requests-limit", "0"},
               {"anthropic-ratelimit-requests-remaining", "5"},
               {"anthropic-ratelimit-tokens-limit", "abc"},
               {"anthropic-ratelimit-tokens-remaining", "1"},
               {"anthropic-ratelimit-tokens-reset", "yesterday"},
               {"anthropic-ratelimit-unified-5h-utilization", "-3"},
               {"anthropic-ratelimit-unified-5h-reset", "99999999999999999999"},
               {"x-ratelimit-reset-requests", "-6m"},
               {"x-codex-primary-used-percent", "1e999"},
               {"x-codex-primary-window-minutes", "-5"},
               {"x-codex-primary-reset-after-seconds", "99999999999"},
               {"Retry-After", "Tomorrow, maybe"}}),
      429, now);
  EXPECT_TRUE(o.empty()) << o.windows.size();
  // A reset in the past is no reset to wait for; a utilization above 1 is spent (1).
  QuotaObservation p =
      ReadRateLimitHeaders(Headers({{"anthropic-ratelimit-unified-7d-utilization", "1.7"},
                                    {"anthropic-ratelimit-unified-7d-reset", "10"}}),
                           200, now);
  ASSERT_EQ(p.windows.size(), 1u);
  EXPECT_EQ(*p.windows[0].utilization, 1.0);
  EXPECT_FALSE(p.windows[0].reset_unix_ns);
}

}  // namespace
}  // namespace cliproxy::scheduler

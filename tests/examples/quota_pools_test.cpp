// examples/quota-pools.yaml: Claude Max and Codex pools routed by the quota windows their
// upstreams report in response headers; spent or refused logins are left out until their
// reset; at most 4 (Claude) or 2 (Codex) requests at once per login; 429 when all are out.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

// 2026-12-05T10:00:00Z, as Unix seconds (Anthropic's unified resets).
constexpr int64_t kStart = 1796464800;

class QuotaPoolsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("quota-pools.yaml")), ""); }

  // A finished request of `login` that started `at` seconds after kStart, answered with
  // `headers` (and HTTP `status`: 0 for a success).
  void Answer(const std::string& login, const std::string& provider, int at,
              std::vector<std::pair<std::string, std::string>> headers, int status = 0) {
    UsageRecord r;
    r.provider = provider;
    r.model = provider == "codex" ? "gpt-5-codex" : "claude-sonnet-4-5";
    r.auth_id = login;
    const int t = 10 * 3600 + at;
    char when[32];
    std::snprintf(when, sizeof when, "2026-12-05T%02d:%02d:%02dZ", t / 3600, t / 60 % 60, t % 60);
    r.requested_at = when;
    r.failed = status >= 400;
    r.failure.status_code = status;
    for (auto& [name, value] : headers) {
      Slice<std::string> values;
      values.push_back(std::move(value));
      r.response_headers.Set(std::move(name), std::move(values));
    }
    ASSERT_EQ(plugin_.Usage(r), "");
  }
  // A Claude Max login's answer: 5-hour window `used` (0..1) resetting `reset` s after kStart.
  void Claude(const std::string& login, int at, double used, int reset, int status = 0) {
    Answer(login, "claude", at,
           {{"anthropic-ratelimit-unified-status", used >= 1 ? "rejected" : "allowed"},
            {"anthropic-ratelimit-unified-5h-status", used >= 1 ? "rejected" : "allowed"},
            {"anthropic-ratelimit-unified-5h-utilization", std::to_string(used)},
            {"anthropic-ratelimit-unified-5h-reset", std::to_string(kStart + reset)},
            {"anthropic-ratelimit-unified-7d-utilization", "0.4"},
            {"anthropic-ratelimit-unified-7d-reset", std::to_string(kStart + 4 * 86400)}},
           status);
  }
  void Codex(const std::string& login, int at, int primary_percent, int primary_reset_after,
             int secondary_percent) {
    Answer(login, "codex", at,
           {{"x-codex-primary-used-percent", std::to_string(primary_percent)},
            {"x-codex-primary-window-minutes", "300"},
            {"x-codex-primary-reset-after-seconds", std::to_string(primary_reset_after)},
            {"x-codex-secondary-used-percent", std::to_string(secondary_percent)},
            {"x-codex-secondary-window-minutes", "10080"},
            {"x-codex-secondary-reset-after-seconds", "500000"}});
  }
  static Pick Max(const std::vector<std::string>& ids) { return Pick().Candidates(ids); }
  static Pick Codexes(const std::vector<std::string>& ids) {
    return Pick("gpt-5-codex", "codex").Candidates(ids);
  }
  LoadedScheduler plugin_;
};

TEST_F(QuotaPoolsTest, ClaudeSpendsTheWindowClosestToExpiringAndSkipsSpentLogins) {
  Claude("max-1.json", 0, 0.97, 1200);      // over 0.95: out until 10:20
  Claude("max-2.json", 0, 0.50, 2 * 3600);  // 0.50 left over 2h
  Claude("max-3.json", 0, 0.20, 4 * 3600);  // 0.80 left over 4h
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json", "max-3.json"})).Chosen(), "max-2.json");
  Claude("max-2.json", 60, 0.96, 2 * 3600);  // now spent too
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json", "max-3.json"})).Chosen(), "max-3.json");
  // 10:20: max-1's window starts afresh: 0.6 left (its 7-day window is 40% used) over the
  // next 5h, ahead of max-3 (0.3 over 3h40m).
  Claude("max-3.json", 1200, 0.70, 4 * 3600);
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json", "max-3.json"})).Chosen(), "max-1.json");
}

TEST_F(QuotaPoolsTest, A429WithRetryAfterKeepsTheLoginOutThatLongThenClientsGet429) {
  Answer("max-1.json", "claude", 0, {{"retry-after", "300"}}, 429);
  Claude("max-2.json", 0, 1.0, 3600, 429);
  PickReply reply = plugin_.Pick(Max({"max-1.json", "max-2.json"}));
  EXPECT_EQ(reply.Chosen(), "<error claude_quota_exhausted 429>");
  EXPECT_EQ(reply.error.message, "every Claude Max login is out of quota until its window resets");
  Claude("max-3.json", 300, 0.1, 3 * 3600);  // five minutes later
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json"})).Chosen(), "max-1.json");
}

TEST_F(QuotaPoolsTest, AtMostFourClaudeRequestsAtOnceOnALogin) {
  Claude("max-1.json", 0, 0.10, 1800);
  Claude("max-2.json", 0, 0.10, 4 * 3600);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json"})).Chosen(), "max-1.json") << i;
  }
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json"})).Chosen(), "max-2.json");
  Claude("max-1.json", 30, 0.11, 1800);  // one of max-1's requests finished
  EXPECT_EQ(plugin_.Pick(Max({"max-1.json", "max-2.json"})).Chosen(), "max-1.json");
}

TEST_F(QuotaPoolsTest, CodexKeepsATenPercentReserveAndSpreadsByWhatIsLeft) {
  Codex("codex-a.json", 0, 91, 3000, 20);   // primary over 0.9: out for 50 minutes
  Codex("codex-b.json", 0, 30, 9000, 85);   // 15% left on the weekly window
  Codex("codex-c.json", 0, 60, 12000, 10);  // 40% left
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json", "codex-c.json"})).Chosen(),
            "codex-c.json");
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-b.json");
  Codex("codex-b.json", 3000, 31, 6000, 85);  // 50 minutes later: a's primary has reset
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-a.json");
}

TEST_F(QuotaPoolsTest, CodexLoginsNothingIsKnownAboutAreTriedTwoAtATimeAtMost) {
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-a.json");
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-b.json");
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-a.json");
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(), "codex-b.json");
  EXPECT_EQ(plugin_.Pick(Codexes({"codex-a.json", "codex-b.json"})).Chosen(),
            "<error codex_quota_exhausted 429>");
}

}  // namespace
}  // namespace cliproxy::examples

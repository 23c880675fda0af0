// examples/codex-token-budget.yaml: Codex requests go to the login that has used the
// fewest tokens in the last 5 hours; logins at 3M tokens are left out; when all are, 429.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

constexpr int64_t kLimit = 3'000'000;

class TokenBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(plugin_.Register(ReadExample("codex-token-budget.yaml")), ""); }
  // A finished request of `login` that started at `requested_at` and used `tokens`.
  void Spend(const std::string& login, int64_t tokens,
             const std::string& requested_at = "2025-06-02T09:00:00Z") {
    UsageRecord r;
    r.provider = "codex";
    r.model = "gpt-5-codex";
    r.auth_id = login;
    r.requested_at = requested_at;
    r.latency_ns = 20'000'000'000;
    r.detail.input_tokens = tokens - tokens / 10;
    r.detail.output_tokens = tokens / 10;
    r.detail.total_tokens = tokens;
    ASSERT_EQ(plugin_.Usage(r), "");
  }
  static Pick Logins() {
    return Pick("gpt-5-codex", "codex")
        .Candidates({"codex-a.json", "codex-b.json", "codex-c.json"});
  }
  LoadedScheduler plugin_;
};

TEST_F(TokenBudgetTest, EachRequestGoesToTheLoginThatHasSpentTheLeast) {
  const std::map<std::string, int64_t> spent = {
      {"codex-a.json", 2'000'000}, {"codex-b.json", 400'000}, {"codex-c.json", 1'100'000}};
  for (const auto& [login, tokens] : spent) Spend(login, tokens);
  const auto least = std::min_element(spent.begin(), spent.end(),
                                      [](auto& x, auto& y) { return x.second < y.second; });
  EXPECT_EQ(plugin_.Pick(Logins()).Chosen(), least->first);
}

TEST_F(TokenBudgetTest, LoginsAtTheLimitAreLeftOutThenClientsGet429) {
  Spend("codex-a.json", kLimit);
  Spend("codex-b.json", kLimit + 1);
  EXPECT_EQ(plugin_.Pick(Logins()).Chosen(), "codex-c.json");
  Spend("codex-c.json", kLimit);  // its request is done: c is at the limit too
  PickReply reply = plugin_.Pick(Logins());
  EXPECT_EQ(reply.Chosen(), "<error token_budget_spent 429>");
  EXPECT_EQ(reply.error.message, "every Codex login has spent its 5-hour token budget");
  EXPECT_EQ(reply.rc, 0) << "a decided refusal, not a plugin failure";
}

TEST_F(TokenBudgetTest, TokensOlderThanFiveHoursNoLongerCount) {
  Spend("codex-a.json", kLimit, "2025-06-02T09:00:00Z");
  Spend("codex-b.json", 100, "2025-06-02T09:00:00Z");
  EXPECT_EQ(plugin_.Pick(Logins()).Chosen(), "codex-c.json");
  // Six hours later (a record of that time moves the usage clock), a's tokens have left
  // the window: a has used nothing since, b the 100 tokens of its new request.
  Spend("codex-b.json", 100, "2025-06-02T15:00:00Z");
  EXPECT_EQ(plugin_.Pick(Pick("gpt-5-codex", "codex").Candidates({"codex-a.json", "codex-b.json"}))
                .Chosen(),
            "codex-a.json");
}

TEST_F(TokenBudgetTest, OtherProvidersAreLeftToTheHost) {
  Spend("codex-a.json", kLimit);
  EXPECT_EQ(
      plugin_.Pick(Pick("claude-sonnet-4-5", "claude").Candidates({"claude-1.json"})).Chosen(),
      "<unhandled>");
}

}  // namespace
}  // namespace cliproxy::examples

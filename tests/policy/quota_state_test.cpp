// QuotaState: what an account's windows read as over time, and its bound: a full table
// fails closed for the accounts it cannot track, and logs that once.
#include "scheduler/quota/quota_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hash.hpp"
#include "base/rfc3339.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class RecordingLogger : public Logger {
 public:
  void Warn(std::string_view message) const noexcept override { messages.emplace_back(message); }
  mutable std::vector<std::string> messages;
};

int64_t Unix(int seconds) { return *ParseRfc3339(At(seconds)); }

TEST(QuotaState, AWindowHoldsUntilItsResetThenStartsAfreshForOneLength) {
  QuotaState quota;
  quota.Observe(Codex("a", 0, 40, 600), Mono(0));
  QuotaState::Reading r = quota.Read(Hash64("a"), Unix(599), Mono(0));
  EXPECT_TRUE(r.known);
  EXPECT_DOUBLE_EQ(r.utilization, 0.4);
  EXPECT_EQ(r.soonest_reset, Unix(600));
  r = quota.Read(Hash64("a"), Unix(700), Mono(0));
  EXPECT_TRUE(r.known);
  EXPECT_DOUBLE_EQ(r.utilization, 0);
  EXPECT_EQ(r.soonest_reset, Unix(700) + 300 * 60 * kSecond);
  EXPECT_FALSE(quota.Read(Hash64("b"), Unix(0), Mono(0)).known);
}

TEST(QuotaState, AWindowWithoutAResetHoldsForItsLengthOrAMinute) {
  QuotaState quota;
  quota.Observe(UsageBuilder("a", 0)
                    .Header("x-ratelimit-limit-requests", "10")
                    .Header("x-ratelimit-remaining-requests", "1"),
                Mono(0));
  EXPECT_DOUBLE_EQ(quota.Read(Hash64("a"), Unix(59), Mono(0)).utilization, 0.9);
  EXPECT_FALSE(quota.Read(Hash64("a"), Unix(60), Mono(0)).known);
}

TEST(QuotaState, PicksCountInFlightUntilARecordOfTheAccountArrives) {
  QuotaState quota;
  ASSERT_TRUE(quota.Picked(Hash64("a"), Mono(0)));
  ASSERT_TRUE(quota.Picked(Hash64("a"), Mono(0)));
  EXPECT_EQ(quota.Read(Hash64("a"), UsageClock::kUnset, Mono(1)).in_flight, 2);
  quota.Observe(UsageBuilder("a", 0).LatencyMs(500), Mono(1));
  EXPECT_EQ(quota.Read(Hash64("a"), quota.Now(Mono(1)), Mono(1)).in_flight, 1);
}

TEST(QuotaState, AFullTableFailsClosedForAccountsItCannotTrackAndLogsOnce) {
  auto logger = std::make_shared<RecordingLogger>();
  QuotaState quota("plans", logger, /*max_accounts=*/2);
  quota.Observe(Codex("a", 0, 10, 600), Mono(0));
  quota.Observe(Codex("b", 0, 10, 600), Mono(0));
  // c's refusal finds no room: no account without an entry is picked until it has passed.
  quota.Observe(UsageBuilder("c", 0).Failed(429).Header("retry-after", "120"), Mono(0));
  quota.Observe(UsageBuilder("d", 0).Failed(429).Header("retry-after", "60"), Mono(0));
  for (const char* id : {"c", "d", "e"}) {
    QuotaState::Reading r = quota.Read(Hash64(id), Unix(119), Mono(0));
    EXPECT_TRUE(r.refused) << id;
    EXPECT_EQ(r.refused_until, Unix(120)) << id;
  }
  EXPECT_FALSE(quota.Read(Hash64("a"), Unix(119), Mono(0)).refused);
  EXPECT_FALSE(quota.Read(Hash64("e"), Unix(120), Mono(0)).refused);
  ASSERT_EQ(logger->messages.size(), 1u);
  EXPECT_NE(logger->messages[0].find("route \"plans\" (headroom)"), std::string::npos);
  EXPECT_LE(quota.Records(), 2u);
  // Once a and b have reset, their entries go to new accounts.
  quota.Observe(Codex("e", 700, 50, 600), Mono(0));
  EXPECT_TRUE(quota.Read(Hash64("e"), quota.Now(Mono(0)), Mono(0)).known);
  EXPECT_LE(quota.Records(), 2u);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

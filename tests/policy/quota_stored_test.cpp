// QuotaState in the state stores: its snapshot body (a round trip; any damage changes
// nothing) and how facts from the fleet merge (the newest observation per window; a
// refusal lifted here does not come back from an older report).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hash.hpp"
#include "base/rfc3339.hpp"
#include "scheduler/quota/quota_state.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

int64_t Unix(int seconds) { return *ParseRfc3339(At(seconds)); }

// A store's time `seconds` after At(0) on both clocks.
StoreTime TimeAt(int seconds) { return StoreTime{Mono(seconds), Unix(seconds)}; }

QuotaRow Primary(const std::string& auth, int observed, double used, int reset) {
  QuotaRow row;
  row.account = Hash64(auth);
  row.kind = "primary";
  row.observed_ns = Unix(observed);
  row.utilization = used;
  row.reset_ns = Unix(reset);
  return row;
}

TEST(QuotaStored, FleetFactsKeepTheNewestObservationPerWindow) {
  QuotaState quota;
  quota.Observe(Codex("a", 10, 20, 600), Mono(10));
  EXPECT_EQ(quota.ApplyFleet({Primary("a", 5, 0.9, 600)}, TimeAt(11)), 0u);
  EXPECT_DOUBLE_EQ(quota.Read(Hash64("a"), quota.Now(Mono(11)), Mono(11)).utilization, 0.2);
  quota.ApplyFleet({Primary("a", 20, 0.9, 600)}, TimeAt(21));
  EXPECT_DOUBLE_EQ(quota.Read(Hash64("a"), quota.Now(Mono(21)), Mono(21)).utilization, 0.9);
  // An account known only from the fleet.
  quota.ApplyFleet({Primary("b", 20, 0.5, 600)}, TimeAt(21));
  EXPECT_TRUE(quota.Read(Hash64("b"), quota.Now(Mono(21)), Mono(21)).known);
}

TEST(QuotaStored, FleetFactsSetTheClockOfAnInstanceWithoutRecords) {
  QuotaState quota;
  QuotaRow refused;
  refused.account = Hash64("a");
  refused.kind = std::string(QuotaRow::kRefused);
  refused.observed_ns = Unix(0);
  refused.reset_ns = Unix(600);
  quota.ApplyFleet({refused}, TimeAt(1));
  const QuotaState::Reading r = quota.Read(Hash64("a"), quota.Now(Mono(1)), Mono(1));
  EXPECT_TRUE(r.refused);
  EXPECT_EQ(r.refused_until, Unix(600));
}

TEST(QuotaStored, ARefusalLiftedHereDoesNotComeBackFromTheFleet) {
  QuotaState quota;
  quota.Observe(UsageBuilder("a", 0).Failed(429).Header("retry-after", "600"), Mono(0));
  std::vector<QuotaRow> own;
  quota.TakeOwn(&own, TimeAt(1));
  ASSERT_EQ(own.size(), 1u);
  ASSERT_TRUE(own[0].refusal());
  // A request started after the refusal was served: lifted.
  quota.Observe(UsageBuilder("a", 10).LatencyMs(100), Mono(10));
  EXPECT_FALSE(quota.Read(Hash64("a"), quota.Now(Mono(11)), Mono(11)).refused);
  quota.ApplyFleet(own, TimeAt(11));  // another instance still reports the old refusal
  EXPECT_FALSE(quota.Read(Hash64("a"), quota.Now(Mono(11)), Mono(11)).refused);
  std::vector<QuotaRow> after;
  quota.TakeOwn(&after, TimeAt(11));
  EXPECT_TRUE(after.empty());  // nothing of it is written back
  // A newer refusal holds.
  QuotaRow newer = own[0];
  newer.observed_ns = Unix(20);
  newer.reset_ns = Unix(900);
  quota.ApplyFleet({newer}, TimeAt(21));
  EXPECT_EQ(quota.Read(Hash64("a"), quota.Now(Mono(21)), Mono(21)).refused_until, Unix(900));
}

TEST(QuotaStored, UnusableFleetRowsAreCountedAndExpiredOnesNotShared) {
  QuotaState quota;
  QuotaRow unknown = Primary("a", 0, 0.5, 600);
  unknown.kind = "9y";
  QuotaRow out_of_range = Primary("a", 0, 1.5, 600);
  QuotaRow negative = Primary("a", 0, 0.5, 600);
  negative.observed_ns = -1;
  EXPECT_EQ(quota.ApplyFleet({unknown, out_of_range, negative}, TimeAt(1)), 3u);
  EXPECT_FALSE(quota.Read(Hash64("a"), quota.Now(Mono(1)), Mono(1)).tracked);

  quota.Observe(Codex("b", 0, 30, 60), Mono(0));
  std::vector<QuotaRow> own;
  quota.TakeOwn(&own, TimeAt(59));
  EXPECT_EQ(own.size(), 1u);
  quota.TakeOwn(&own, TimeAt(61));
  EXPECT_TRUE(own.empty());  // reset has passed: nothing of it is current
}

TEST(QuotaStored, SnapshotRoundTripAndAnyTruncationChangesNothing) {
  QuotaState saved;
  saved.Observe(Codex("a", 0, 40, 600), Mono(0));
  saved.Observe(UsageBuilder("b", 0).Failed(429).Header("retry-after", "300"), Mono(0));
  const std::string body = saved.Save(TimeAt(1));

  QuotaState restored;
  ASSERT_TRUE(restored.Restore(body, TimeAt(1)));
  const int64_t now = restored.Now(Mono(1));
  EXPECT_GE(now, Unix(1));
  EXPECT_DOUBLE_EQ(restored.Read(Hash64("a"), now, Mono(1)).utilization, 0.4);
  EXPECT_EQ(restored.Read(Hash64("a"), now, Mono(1)).soonest_reset, Unix(600));
  EXPECT_EQ(restored.Read(Hash64("b"), now, Mono(1)).refused_until, Unix(300));

  for (size_t n = 0; n < body.size(); ++n) {
    QuotaState damaged;
    EXPECT_FALSE(damaged.Restore(body.substr(0, n), TimeAt(1))) << n;
    EXPECT_EQ(damaged.accounts(), 0u) << n;
    EXPECT_EQ(damaged.Now(Mono(1)), UsageClock::kUnset) << n;
  }
  QuotaState longer;
  EXPECT_FALSE(longer.Restore(body + "x", TimeAt(1)));
  EXPECT_EQ(longer.accounts(), 0u);
  // Any flipped bit is either still a well-formed body or rejected whole.
  for (size_t i = 0; i < body.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = body;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      QuotaState damaged;
      if (!damaged.Restore(flipped, TimeAt(1))) {
        EXPECT_EQ(damaged.accounts(), 0u) << i;
      }
      (void)damaged.Read(Hash64("a"), damaged.Now(Mono(1)), Mono(1));
    }
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

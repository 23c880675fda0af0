// The usage time line: RFC 3339 times of usage records and the clock built from them.
#include <gtest/gtest.h>

#include <ctime>
#include <limits>

#include "base/rfc3339.hpp"
#include "scheduler/usage_clock.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Unix nanoseconds of a UTC date-time, computed by the C library.
int64_t Utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * kSecond;
}

TEST(Rfc3339, ParsesWhatGoEncodes) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2025-06-02T09:00:00Z"), Utc(2025, 6, 2, 9, 0, 0));
  EXPECT_EQ(ParseRfc3339("2024-02-29T23:59:59Z"), Utc(2024, 2, 29, 23, 59, 59));
  EXPECT_EQ(ParseRfc3339("2000-03-01T00:00:00Z"), Utc(2000, 3, 1, 0, 0, 0));
  EXPECT_EQ(ParseRfc3339("2261-12-31T23:59:59Z"), Utc(2261, 12, 31, 23, 59, 59));
}

TEST(Rfc3339, FractionsAndOffsets) {
  const int64_t base = Utc(2025, 6, 2, 9, 0, 0);
  EXPECT_EQ(ParseRfc3339("2025-06-02T09:00:00.5Z"), base + kSecond / 2);
  EXPECT_EQ(ParseRfc3339("2025-06-02T09:00:00.123456789Z"), base + 123456789);
  EXPECT_EQ(ParseRfc3339("2025-06-02T09:00:00.1234567891Z"), base + 123456789);  // truncated
  EXPECT_EQ(ParseRfc3339("2025-06-02T11:30:00+02:30"), base);
  EXPECT_EQ(ParseRfc3339("2025-06-02T04:00:00-05:00"), base);
}

TEST(Rfc3339, RefusesWhatIsNotADateTime) {
  for (const char* bad :
       {"", "2025-06-02", "2025-06-02T09:00:00", "2025-06-02 09:00:00Z", "2025-6-02T09:00:00Z",
        "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z",
        "2025-06-02T24:00:00Z", "2025-06-02T09:60:00Z", "2025-06-02T09:00:00.Z",
        "2025-06-02T09:00:00+0200", "2025-06-02T09:00:00Z ", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(UsageClock, IsUnsetUntilTheFirstRecordThenFollowsRecordsAndRunsOn) {
  UsageClock clock;
  EXPECT_EQ(clock.Now(Mono(0)), UsageClock::kUnset);
  const int64_t nine = Utc(2025, 6, 2, 9, 0, 0);
  // A request that started at 09:00:00 and took 2.5 s ended at 09:00:02.5.
  EXPECT_EQ(clock.Observe(UsageBuilder("a", 0).LatencyMs(2500), Mono(10)), nine + 2500'000'000);
  EXPECT_EQ(clock.Now(Mono(10)), nine + 2500'000'000);
  EXPECT_EQ(clock.Now(Mono(70)), nine + 62500'000'000);  // a minute on
  // An older record keeps its own time and does not turn the clock back.
  EXPECT_EQ(clock.Observe(UsageBuilder("a", 0), Mono(70)), nine);
  EXPECT_EQ(clock.Now(Mono(70)), nine + 62500'000'000);
  // A later one moves it forward.
  EXPECT_EQ(clock.Observe(UsageBuilder("a", 3600), Mono(71)), nine + 3600 * kSecond);
  EXPECT_EQ(clock.Now(Mono(72)), nine + 3601 * kSecond);
}

TEST(UsageClock, ARecordWithoutATimeEndsNow) {
  UsageClock clock;
  UsageBuilder zero("a");
  zero.record.requested_at = "0001-01-01T00:00:00Z";
  // Before any record "now" is the system clock.
  const int64_t before = static_cast<int64_t>(std::time(nullptr)) * kSecond;
  const int64_t end = clock.Observe(zero, Mono(0));
  EXPECT_GE(end, before);
  EXPECT_LE(end, before + 3600 * kSecond);
  // After it, the usage clock.
  EXPECT_EQ(clock.Observe(zero, Mono(5)), end + 5 * kSecond);
}

TEST(UsageClock, AHugeLatencyEndsNoEarlierThanItsRequestStarted) {
  UsageClock clock;
  const int64_t nine = Utc(2025, 6, 2, 9, 0, 0);
  UsageBuilder endless("a");
  endless.record.latency_ns = std::numeric_limits<int64_t>::max();  // a garbage Latency
  // Its end cannot be told: like a record without a time, it ended now (the system clock).
  const int64_t end = clock.Observe(endless, Mono(0));
  EXPECT_GE(end, nine);
  EXPECT_LT(end, Utc(2200, 1, 1, 0, 0, 0));
  // The clock stays usable: it reads a time, and never runs backwards.
  const int64_t later = clock.Now(Mono(3600));
  EXPECT_NE(later, UsageClock::kUnset);
  EXPECT_GE(later, end);
}

TEST(UsageClock, AnAncientRecordOnALongRunningProxyLeavesTheClockAlone) {
  UsageClock clock;
  const int64_t nine = Utc(2025, 6, 2, 9, 0, 0);
  const double uptime = 200.0 * 86400;  // 200 days of monotonic time
  clock.Observe(UsageBuilder("a", 0), Mono(uptime));
  UsageBuilder ancient("a");
  ancient.record.requested_at = "1678-01-01T00:00:00Z";  // the earliest time parsed
  EXPECT_EQ(clock.Observe(ancient, Mono(uptime)), Utc(1678, 1, 1, 0, 0, 0));
  EXPECT_EQ(clock.Now(Mono(uptime + 60)), nine + 60 * kSecond);
}

TEST(UsageClock, RunsOnSaturatedAtTheLatestTimeARecordCanName) {
  UsageClock clock;
  UsageBuilder last("a");
  last.record.requested_at = "2261-12-31T23:59:59Z";  // the latest time parsed
  const int64_t end = clock.Observe(last, Mono(0));
  EXPECT_EQ(end, Utc(2261, 12, 31, 23, 59, 59));
  // A year of monotonic time later the clock has not wrapped into the past.
  EXPECT_GE(clock.Now(Mono(365.0 * 86400)), end);
}

TEST(UsageClock, ARecordFarAheadOfTheClockEndedNow) {
  UsageClock clock;
  const int64_t nine = Utc(2025, 6, 2, 9, 0, 0);
  clock.Observe(UsageBuilder("a", 0), Mono(0));
  // A host with a wrong date: 2031. Taken as ending now, it does not move the clock.
  UsageBuilder wrong("a");
  wrong.record.requested_at = "2031-01-01T00:00:00Z";
  EXPECT_EQ(clock.Observe(wrong, Mono(10)), nine + 10 * kSecond);
  EXPECT_EQ(clock.Now(Mono(10)), nine + 10 * kSecond);
  // Up to a day ahead still moves it (a replay's next record, a long quiet spell).
  EXPECT_EQ(clock.Observe(UsageBuilder("a", 14 * 3600), Mono(11)), nine + 14 * 3600 * kSecond);
  EXPECT_EQ(clock.Now(Mono(11)), nine + 14 * 3600 * kSecond);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

namespace cliproxy::scheduler {
namespace {

TEST(Rfc3339, FormatWritesWhatParseReadsBack) {
  EXPECT_EQ(FormatRfc3339Nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(1'500'000'000), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(FormatRfc3339Nano(1'748'854'800'000'000'001), "2025-06-02T09:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339Nano(-1), "1969-12-31T23:59:59.999999999Z");
  for (int64_t ns : {int64_t{0}, int64_t{951'782'400'123'456'789} /* 2000-02-29 */,
                     int64_t{4'107'542'399'000'000'000} /* 2100-02-28T23:59:59 */,
                     int64_t{-9'000'000'000'000'000'000}, int64_t{9'000'000'000'000'000'000}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339Nano(ns)), ns) << FormatRfc3339Nano(ns);
  }
}

}  // namespace
}  // namespace cliproxy::scheduler

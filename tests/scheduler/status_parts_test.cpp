// Parts of the status page in process: the decision chart under a wall clock that jumps,
// and the paths the page is registered at for what the host says at management.register.
#include <gtest/gtest.h>

#include <cstdint>

#include "scheduler/status/decision_timeline.hpp"
#include "scheduler/status/status_routes.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr int64_t kBucketMs = DecisionTimeline::kBucketSeconds * 1000;

uint64_t AuthTotal(const DecisionTimeline& t, int64_t now_ms) {
  uint64_t total = 0;
  for (const DecisionTimeline::Bucket& b : t.Read(now_ms)) total += b.auth;
  return total;
}

TEST(StatusTimeline, ChartsAgainAfterTheClockJumpsForwardAndBack) {
  DecisionTimeline timeline;
  const int64_t now = 1'800'000'000'000;  // a Unix time in ms
  timeline.Record(Decision::Kind::kAuth, now);
  timeline.Record(Decision::Kind::kAuth, now);
  EXPECT_EQ(AuthTotal(timeline, now), 2u);
  // An hour ahead, for more than ten minutes (every cell is claimed by the future)...
  for (int64_t t = now + 3'600'000; t < now + 3'600'000 + 61 * kBucketMs; t += kBucketMs) {
    timeline.Record(Decision::Kind::kDelegate, t);
  }
  // ... and back: the next decisions are charted at once.
  const int64_t back = now + kBucketMs;
  timeline.Record(Decision::Kind::kAuth, back);
  timeline.Record(Decision::Kind::kAuth, back);
  timeline.Record(Decision::Kind::kAuth, back);
  // These three (the two before the jump were in the cell the future claimed since).
  EXPECT_EQ(AuthTotal(timeline, back), 3u);
  uint64_t delegated = 0;
  for (const DecisionTimeline::Bucket& b : timeline.Read(back)) delegated += b.delegate;
  EXPECT_EQ(delegated, 0u);
}

TEST(StatusTimeline, AShortJumpBackDoesNotLeaveTheFuturesCountsToBeShownLater) {
  DecisionTimeline timeline;
  const int64_t now = 1'800'000'000'000;
  // Five minutes ahead for a moment, then back.
  timeline.Record(Decision::Kind::kError, now + 30 * kBucketMs);
  timeline.Record(Decision::Kind::kAuth, now);
  EXPECT_EQ(AuthTotal(timeline, now), 1u);
  // When the clock really gets there, the bucket holds only its own decisions.
  timeline.Record(Decision::Kind::kAuth, now + 30 * kBucketMs);
  uint64_t errors = 0, auth = 0;
  for (const DecisionTimeline::Bucket& b : timeline.Read(now + 30 * kBucketMs)) {
    errors += b.errors;
    auth += b.auth;
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(auth, 2u);
  // One bucket back is not a jump (threads read the clock a moment apart).
  timeline.Record(Decision::Kind::kAuth, now + 29 * kBucketMs);
  EXPECT_EQ(AuthTotal(timeline, now + 30 * kBucketMs), 3u);
}

StatusPaths PathsFor(const std::string& base, const std::string& resources) {
  ManagementRegistrationRequest request;
  request.base_path = base;
  request.resource_base_path = resources;
  return StatusPathsFor(request);
}

TEST(StatusPaths, OnlyAnAbsolutePathOfPlainSegmentsIsUsed) {
  const StatusPaths good = PathsFor("/api/v0/management/", "/ui/plugins/sched-b");
  EXPECT_EQ(good.json, "/api/v0/management/plugins/sched-b/status");
  EXPECT_EQ(good.page, "/ui/plugins/sched-b/status");
  const StatusPaths defaults;
  // A protocol-relative URL would send the management key to another host.
  for (const char* bad : {"//evil.example", "//evil.example/v0/management", "///x", "/a//b",
                          "evil.example/x", "/a/../b", "/a/./b", "/", "", "/a?b", "/a b",
                          "http://evil.example/x", "\\\\evil.example/x"}) {
    const StatusPaths paths = PathsFor(bad, bad);
    EXPECT_EQ(paths.json, defaults.json) << bad;
    EXPECT_EQ(paths.page, defaults.page) << bad;
  }
}

}  // namespace
}  // namespace cliproxy::scheduler

// DecisionTimeline: decisions per time bucket over the last kBuckets buckets of
// kBucketSeconds each (10 minutes), for the status page's chart.
//
// A bucket is a ring cell tagged with its bucket number (Unix time / kBucketSeconds). The
// first decision of a new bucket claims the cell by swapping its tag and zeroing its
// counts. Without a lock, a decision of the same new bucket made by another thread between
// the claim and the zeroing can be lost from the chart (never from the counters since
// start, which are kept elsewhere): the chart is exact for one thread and approximate at
// bucket boundaries under contention. When the wall clock goes back by more than a bucket
// (a decision's time is two or more buckets before the latest one recorded), the buckets
// after it are cleared, so that the chart starts again from the new time instead of staying
// empty (or showing the future's counts) until the clock catches up; a decision delayed
// that long between reading the clock and being recorded does the same.
//
// Thread-safety: every method may be called concurrently; none blocks.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_DECISION_TIMELINE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_DECISION_TIMELINE_HPP_

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "scheduler/decision.hpp"

namespace cliproxy::scheduler {

class DecisionTimeline {
 public:
  static constexpr int kBuckets = 60;
  static constexpr int64_t kBucketSeconds = 10;

  struct Bucket {
    int64_t start_s = 0;  // Unix seconds
    uint64_t auth = 0, delegate = 0, unhandled = 0, errors = 0;
  };

  void Record(Decision::Kind kind, int64_t now_ms);
  // The kBuckets buckets ending with the one holding `now_ms`, oldest first (buckets
  // without decisions are zero).
  std::vector<Bucket> Read(int64_t now_ms) const;

 private:
  struct Cell {
    std::atomic<int64_t> number{-1};
    std::array<std::atomic<uint64_t>, 4> counts{};  // by Decision::Kind
  };
  static int64_t NumberOf(int64_t now_ms);

  std::array<Cell, kBuckets> cells_;
  std::atomic<int64_t> latest_{-1};  // the latest bucket number recorded
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_DECISION_TIMELINE_HPP_

// UsageClock: the time line on which usage-driven strategies keep their windows and
// moving averages.
//
// A usage record says when its request started (`RequestedAt`, wall clock) and how long
// it took (`Latency`); the request ended at their sum. Windows are kept on that time line
// rather than on the plugin's own clock, so that what a record says about time is what
// counts: a record of a request that ended ten minutes ago falls ten minutes back in the
// window, and a simulator that replays an hour of records in a second (cpa-sched simulate)
// sees an hour pass. Between records the clock runs on with the monotonic clock of the
// picks: now = (end of the latest record) + (monotonic time since it arrived). So a quiet
// proxy's windows still empty out, and on a live proxy, whose records carry the current
// wall-clock time, usage time is simply the wall clock.
//
// A record without a usable `RequestedAt` (absent, Go's zero time, unparsable, or so late
// that adding its `Latency` overflows) ended "now": on the usage clock if it has seen a
// record, else on the system clock. So did a record that would end more than a day
// (kMaxLead) ahead of a clock already set: one wrong date must not move the clock years
// ahead and empty every window for good. Replays move forward in small steps.
//
// Thread-safety: every method may be called concurrently; the clock is one atomic word
// (the offset from the monotonic clock to usage time, only ever moved forward), so time
// never runs backwards.
#ifndef CLIPROXY_SRC_SCHEDULER_USAGE_CLOCK_HPP_
#define CLIPROXY_SRC_SCHEDULER_USAGE_CLOCK_HPP_

#include <atomic>
#include <cstdint>
#include <limits>

#include "cliproxy/types.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class UsageClock {
 public:
  // Moves the clock to the end of `record` if that is later than now; returns the end of
  // the record (Unix nanoseconds), the time the record's usage belongs to.
  int64_t Observe(const UsageRecord& record, Clock::time_point now);

  // Sets the clock to `usage_time` at `now` unless it is already later (a state store
  // restoring a window saved by an earlier process).
  void Resume(int64_t usage_time, Clock::time_point now) { Advance(usage_time, now); }

  // Usage time at monotonic time `now` (Unix nanoseconds), or kUnset before any record.
  int64_t Now(Clock::time_point now) const;

  static constexpr int64_t kUnset = std::numeric_limits<int64_t>::min();
  // How far ahead of the clock a record may end and still move it: further is taken as a
  // wrong time (the record ended now).
  static constexpr int64_t kMaxLead = int64_t{24} * 3600 * 1'000'000'000;

 private:
  static int64_t Monotonic(Clock::time_point now);
  void Advance(int64_t usage_time, Clock::time_point now);

  std::atomic<int64_t> offset_{kUnset};  // usage time - monotonic time
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_USAGE_CLOCK_HPP_

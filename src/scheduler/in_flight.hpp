// InFlight: the picks of one account whose usage record has not arrived yet.
//
// Usage arrives only when a request finishes, seconds or minutes after its pick. A
// strategy that looked only at finished usage would send every pick of that interval to
// the same account (the least used, the fastest). Counting the picks in flight spreads
// them: each pick counts until a usage record for its account arrives. The pairing is by
// account, not by request (records do not name their pick), so a record ends one
// in-flight pick of its account, whoever sent it; the count never goes below zero.
//
// A pick whose record never comes (a request cancelled before it reached the upstream,
// usage reported elsewhere) must not count forever: when an account has had no pick for
// kExpiry, its in-flight count reads as zero, and the next pick starts counting afresh.
// Requests rarely run that long.
//
// Thread-safety: Count() may be called from any thread at any time (two atomic loads);
// Picked(), Finished() and Reset() must be serialized by the caller (the entry's mutex).
#ifndef CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class InFlight {
 public:
  static constexpr std::chrono::minutes kExpiry{15};

  int64_t Count(Clock::time_point now) const {
    const int64_t count = count_.load(std::memory_order_acquire);
    if (count > 0 && Expired(now)) return 0;
    return count;
  }
  void Picked(Clock::time_point now) {
    const int64_t count = Count(now);
    last_pick_.store(now.time_since_epoch().count(), std::memory_order_release);
    count_.store(count + 1, std::memory_order_release);
  }
  void Finished() {
    const int64_t count = count_.load(std::memory_order_relaxed);
    if (count > 0) count_.store(count - 1, std::memory_order_release);
  }
  // Back to no pick in flight (for an entry handed to another account).
  void Reset() {
    count_.store(0, std::memory_order_release);
    last_pick_.store(0, std::memory_order_release);
  }

 private:
  bool Expired(Clock::time_point now) const {
    const Clock::time_point last{Clock::duration(last_pick_.load(std::memory_order_acquire))};
    return now - last > kExpiry;
  }

  std::atomic<int64_t> count_{0};
  std::atomic<Clock::rep> last_pick_{0};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

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
// kExpiry, its in-flight count is forgotten. Requests rarely run that long.
//
// Thread-safety: none; it lives in an AccountTable entry, under its shard lock.
#ifndef CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_
#define CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

#include <chrono>
#include <cstdint>

#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler {

class InFlight {
 public:
  static constexpr std::chrono::minutes kExpiry{15};

  int64_t Count(Clock::time_point now) {
    if (count_ > 0 && now - last_pick_ > kExpiry) count_ = 0;
    return count_;
  }
  void Picked(Clock::time_point now) {
    Count(now);
    ++count_;
    last_pick_ = now;
  }
  void Finished() {
    if (count_ > 0) --count_;
  }

 private:
  int64_t count_ = 0;
  Clock::time_point last_pick_{};
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_IN_FLIGHT_HPP_

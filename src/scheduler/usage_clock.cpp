#include "scheduler/usage_clock.hpp"

#include <chrono>
#include <optional>

#include "scheduler/rfc3339.hpp"

namespace cliproxy::scheduler {

int64_t UsageClock::Monotonic(Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
}

int64_t UsageClock::Now(Clock::time_point now) const {
  const int64_t offset = offset_.load(std::memory_order_acquire);
  return offset == kUnset ? kUnset : Monotonic(now) + offset;
}

void UsageClock::Advance(int64_t usage_time, Clock::time_point now) {
  const int64_t wanted = usage_time - Monotonic(now);
  int64_t current = offset_.load(std::memory_order_relaxed);
  while ((current == kUnset || wanted > current) &&
         !offset_.compare_exchange_weak(current, wanted, std::memory_order_acq_rel)) {
  }
}

int64_t UsageClock::Observe(const UsageRecord& record, Clock::time_point now) {
  int64_t end;
  if (std::optional<int64_t> started = ParseRfc3339(record.requested_at)) {
    end = *started + (record.latency_ns > 0 ? record.latency_ns : 0);
  } else if (int64_t current = Now(now); current != kUnset) {
    end = current;
  } else {
    end = std::chrono::duration_cast<std::chrono::nanoseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  }
  Advance(end, now);
  return end;
}

}  // namespace cliproxy::scheduler

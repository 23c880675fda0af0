#include "scheduler/usage_clock.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/rfc3339.hpp"

namespace cliproxy::scheduler {
namespace {

// a + b, or the nearest representable time when that overflows: a garbage Latency, an
// ancient record on a proxy up for months or a clock run past 2262 must neither be
// undefined behaviour nor wrap the clock to the other end of time. Never kUnset.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum == UsageClock::kUnset ? sum + 1 : sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : UsageClock::kUnset + 1;
}

}  // namespace

int64_t UsageClock::Monotonic(Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
}

int64_t UsageClock::Now(Clock::time_point now) const {
  const int64_t offset = offset_.load(std::memory_order_acquire);
  return offset == kUnset ? kUnset : SaturatingAdd(Monotonic(now), offset);
}

void UsageClock::Advance(int64_t usage_time, Clock::time_point now) {
  const int64_t wanted = SaturatingAdd(usage_time, -Monotonic(now));
  int64_t current = offset_.load(std::memory_order_relaxed);
  while ((current == kUnset || wanted > current) &&
         !offset_.compare_exchange_weak(current, wanted, std::memory_order_acq_rel)) {
  }
}

int64_t UsageClock::Observe(const UsageRecord& record, Clock::time_point now) {
  int64_t end = 0;
  const std::optional<int64_t> started = ParseRfc3339(record.requested_at);
  if (!started || __builtin_add_overflow(*started, std::max<int64_t>(record.latency_ns, 0), &end)) {
    if (int64_t current = Now(now); current != kUnset) {
      end = current;
    } else {
      end = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
    }
  }
  // A record from far ahead of the clock (a host with a wrong date, a corrupt time) would
  // move it there for good and empty every window: it ended now.
  if (int64_t current = Now(now); current != kUnset && end > SaturatingAdd(current, kMaxLead)) {
    end = current;
  }
  Advance(end, now);
  return end;
}

}  // namespace cliproxy::scheduler

// Helpers for the tests of usage-driven strategies: usage records on a simulated time
// line, and the monotonic time that goes with it.
#ifndef CLIPROXY_TESTS_POLICY_USAGE_TEST_UTIL_HPP_
#define CLIPROXY_TESTS_POLICY_USAGE_TEST_UTIL_HPP_

#include <chrono>
#include <cstdio>
#include <string>

#include "cliproxy/types.hpp"
#include "scheduler/strategy.hpp"

namespace cliproxy::scheduler::testing {

// Monotonic time `seconds` after an arbitrary start.
inline Clock::time_point Mono(double seconds) {
  return Clock::time_point{} + std::chrono::hours(1000) +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// RFC 3339 text of `seconds` (0 <= seconds < 15h) after 2025-06-02T09:00:00Z.
inline std::string At(int seconds) {
  char text[32];
  const int t = 9 * 3600 + seconds;
  std::snprintf(text, sizeof text, "2025-06-02T%02d:%02d:%02dZ", t / 3600, t / 60 % 60, t % 60);
  return text;
}

// A finished request of `auth` that started at At(`started`).
struct UsageBuilder {
  UsageRecord record;
  explicit UsageBuilder(std::string auth, int started = 0) {
    record.auth_id = std::move(auth);
    record.provider = "claude";
    record.model = "claude-sonnet-4";
    record.requested_at = At(started);
  }
  UsageBuilder& Tokens(int64_t total) {
    record.detail.total_tokens = total;
    return *this;
  }
  UsageBuilder& LatencyMs(int64_t ms) {
    record.latency_ns = ms * 1'000'000;
    return *this;
  }
  UsageBuilder& TtftMs(int64_t ms) {
    record.ttft_ns = ms * 1'000'000;
    return *this;
  }
  // A response header as the upstream sent it (ResponseHeaders).
  UsageBuilder& Header(std::string name, std::string value) {
    Slice<std::string> values;
    values.push_back(std::move(value));
    record.response_headers.Set(std::move(name), std::move(values));
    return *this;
  }
  UsageBuilder& Failed(int status) {
    record.failed = true;
    record.failure.status_code = status;
    return *this;
  }
  operator const UsageRecord&() const { return record; }  // NOLINT
};

// A Codex answer at At(at): primary window `percent` used, resetting `reset_after` s later.
inline UsageBuilder Codex(const std::string& auth, int at, int percent, int reset_after) {
  UsageBuilder b(auth, at);
  b.Header("x-codex-primary-used-percent", std::to_string(percent))
      .Header("x-codex-primary-window-minutes", "300")
      .Header("x-codex-primary-reset-after-seconds", std::to_string(reset_after));
  return b;
}

}  // namespace cliproxy::scheduler::testing

#endif  // CLIPROXY_TESTS_POLICY_USAGE_TEST_UTIL_HPP_

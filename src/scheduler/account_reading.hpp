// AccountReading: what a route's strategy state knows of one account, for the status page.
// Each part is present only when the state keeps it (a least-used window, a fastest
// average, picks in flight).
#ifndef CLIPROXY_SRC_SCHEDULER_ACCOUNT_READING_HPP_
#define CLIPROXY_SRC_SCHEDULER_ACCOUNT_READING_HPP_

#include <cstdint>
#include <optional>

namespace cliproxy::scheduler {

struct AccountReading {
  std::optional<int64_t> in_flight;        // picks whose usage record has not arrived
  std::optional<int64_t> window_requests;  // finished requests in the usage window
  std::optional<int64_t> window_tokens;    // their tokens
  std::optional<int64_t> window_ms;        // the window's length
  std::optional<double> latency_ms;        // the decayed average latency (or TTFT)
  // From the upstream's rate-limit headers (QuotaState): the most used of the account's
  // current windows (0..1), the earliest reset (or the end of a refusal), and whether the
  // upstream refuses it now.
  std::optional<double> quota_used;
  std::optional<int64_t> quota_reset_unix_ms;
  bool quota_refused = false;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ACCOUNT_READING_HPP_

// What an upstream's response headers say about an account's quota, read from the
// ResponseHeaders of a usage record (CLIProxyAPI passes them as they came).
//
// Header families (names match case-insensitively; values as the providers document them):
//   Anthropic API       anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
//                       {limit,remaining,reset}; reset is an RFC 3339 time
//   Anthropic plans     anthropic-ratelimit-unified-status (allowed, allowed_warning,
//                       rejected) and anthropic-ratelimit-unified-{5h,7d}-{status,
//                       utilization,reset}: utilization 0..1, reset in Unix seconds
//   OpenAI              x-ratelimit-{limit,remaining,reset}-{requests,tokens}; reset is a
//                       Go-style duration from now ("6m0s", "1s", "20ms")
//   Codex               x-codex-{primary,secondary}-{used-percent,window-minutes,
//                       reset-after-seconds}
//   any, on 429 / 529   retry-after: seconds, or an HTTP date
// A header that is missing, malformed or out of range is ignored (so is the window it would
// describe when nothing usable is left of it); reading never fails. Nothing else of the
// record is read: no key, no body.
//
// Thread-safety: pure function.
#ifndef CLIPROXY_SRC_SCHEDULER_QUOTA_RATE_LIMIT_HEADERS_HPP_
#define CLIPROXY_SRC_SCHEDULER_QUOTA_RATE_LIMIT_HEADERS_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::scheduler {

// One quota window of an account as the headers describe it.
struct QuotaWindow {
  std::string name;  // "requests", "tokens", "input-tokens", "output-tokens", "5h", "7d",
                     // "primary", "secondary"
  std::optional<double> utilization;     // used share, 0..1 (1: spent)
  std::optional<int64_t> reset_unix_ns;  // when the window starts afresh
  std::optional<int64_t> length_ns;      // the window's length, when stated (Codex, 5h, 7d)
  bool rejected = false;                 // the upstream says it refuses on this window now
  bool operator==(const QuotaWindow&) const = default;
};

struct QuotaObservation {
  std::vector<QuotaWindow> windows;
  // The account is refused until then: retry-after on a 429 or 529, else the latest reset
  // of a rejected plan window (Anthropic's unified 5h/7d status "rejected"), else, when the
  // unified status is "rejected" without naming a window, the unified reset (or the latest
  // plan reset).
  std::optional<int64_t> refused_until_unix_ns;
  bool empty() const { return windows.empty() && !refused_until_unix_ns; }
};

// Reads `headers` of a response with HTTP `status` (0 when the record has none), received
// at `now_unix_ns` (relative resets count from it).
QuotaObservation ReadRateLimitHeaders(const HeaderMap& headers, int status, int64_t now_unix_ns);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_QUOTA_RATE_LIMIT_HEADERS_HPP_

// Wall-clock times of a simulation, as CLIProxyAPI's usage records carry them.
//
// Simulated time runs from 0 (nanoseconds); a scenario's `start` maps it onto a UTC date so
// that usage.handle gets a real-looking `RequestedAt`, written as Go encodes a time.Time in
// JSON (RFC 3339 with up to nine fraction digits, trailing zeros dropped, `Z` for UTC).
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TIME_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TIME_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpa_sched {

// "2025-01-01T00:00:00Z", "2025-01-01T09:30:00.25+02:00" -> nanoseconds since the Unix
// epoch (years 1970-2200). std::nullopt for anything else.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Nanoseconds since the Unix epoch -> "2025-01-01T00:00:01.5Z".
std::string FormatRfc3339Nano(int64_t unix_ns);

// A simulated time for people: "95.0s", "12m30.0s", "2h05m00.0s".
std::string FormatSimTime(int64_t ns);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TIME_HPP_

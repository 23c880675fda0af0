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

#include "base/rfc3339.hpp"

namespace cpa_sched {

// RFC 3339 times are read and written by the scheduler's own ParseRfc3339 and
// FormatRfc3339Nano (base/rfc3339.hpp), the same functions that read usage records.
using cliproxy::scheduler::FormatRfc3339Nano;
using cliproxy::scheduler::ParseRfc3339;

// A simulated time for people: "95.0s", "12m30.0s", "2h05m00.0s".
std::string FormatSimTime(int64_t ns);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_TIME_HPP_

// Times in usage records: Go encodes time.Time as RFC 3339 with optional fractional
// seconds ("2025-06-02T09:00:00.123456789Z", "2025-06-02T11:00:00+02:00").
//
// Thread-safety: pure function.
#ifndef CLIPROXY_SRC_BASE_RFC3339_HPP_
#define CLIPROXY_SRC_BASE_RFC3339_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cliproxy::scheduler {

// Nanoseconds since the Unix epoch of `text`, or std::nullopt when it is not an RFC 3339
// date-time (a date alone, a missing offset, an out-of-range field, years before 1678 or
// after 2261 that do not fit in int64 nanoseconds). Go's zero time
// ("0001-01-01T00:00:00Z", what an unset time.Time encodes to) is out of range and so
// gives std::nullopt: it says "no time", not a time.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Nanoseconds since the Unix epoch as Go encodes a UTC time.Time in JSON:
// "2025-01-01T00:00:01.5Z" (up to nine fraction digits, trailing zeros dropped).
std::string FormatRfc3339Nano(int64_t unix_ns);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_RFC3339_HPP_

// Durations in the configuration: `90s`, `30m`, `1h`, `1h30m`, `500ms`, `2d`, or a bare
// number of seconds (`3600`). Units: ms, s, m, h, d; components may be combined in any
// order and may be fractional (`1.5h`). `0` is zero. Negative durations are refused.
//
// Thread-safety: pure function.
#ifndef CLIPROXY_SRC_BASE_DURATION_HPP_
#define CLIPROXY_SRC_BASE_DURATION_HPP_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cliproxy::scheduler {

// Parses `text` into milliseconds. Returns std::nullopt and sets `*error` when it is not
// a duration or exceeds 100 years.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text, std::string* error);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_DURATION_HPP_

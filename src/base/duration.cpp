#include "base/duration.hpp"

#include <cmath>

namespace cliproxy::scheduler {
namespace {

constexpr double kMaxMs = 100.0 * 365 * 24 * 3600 * 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::chrono::milliseconds> {
    if (error) {
      *error = "invalid duration \"" + std::string(text) + "\": " + why +
               " (use e.g. 90s, 30m, 1h, 1h30m, 500ms, 2d, or a number of seconds)";
    }
    return std::nullopt;
  };
  if (text.empty()) return fail("empty");
  if (text[0] == '-') return fail("negative");
  if (text[0] == '+') text.remove_prefix(1);
  double total_ms = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    bool dot = false;
    while (i < text.size() && (IsDigit(text[i]) || (text[i] == '.' && !dot))) {
      dot = dot || text[i] == '.';
      ++i;
    }
    std::string number(text.substr(start, i - start));
    if (number.empty() || number == ".") return fail("expected a number");
    double value = std::stod(number);
    size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != '.') ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit.empty()) {
      // A bare number is seconds, but only on its own: "1h30" is a typo, not 1h + 30s.
      if (any || i != text.size()) return fail("missing unit");
      scale = 1000;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60.0 * 1000;
    } else if (unit == "h") {
      scale = 3600.0 * 1000;
    } else if (unit == "d") {
      scale = 24.0 * 3600 * 1000;
    } else {
      return fail("unknown unit \"" + std::string(unit) + "\"");
    }
    total_ms += value * scale;
    any = true;
    if (total_ms > kMaxMs) return fail("longer than 100 years");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
}

}  // namespace cliproxy::scheduler

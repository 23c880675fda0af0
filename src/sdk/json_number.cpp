#include "sdk/json_number.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace cliproxy::json::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The literal's integer value, if it is an integer literal within 64 bits.
bool ConvertInteger(std::string_view text, JsonNumber* out) {
  const bool negative = !text.empty() && text[0] == '-';
  uint64_t magnitude = 0;
  for (size_t k = negative ? 1 : 0; k < text.size(); ++k) {
    if (!IsDigit(text[k])) return false;  // a fraction or an exponent: a float64
    const uint64_t digit = static_cast<uint64_t>(text[k] - '0');
    if (magnitude > (UINT64_MAX - digit) / 10) return false;  // beyond uint64: a float64
    magnitude = magnitude * 10 + digit;
  }
  if (!negative || magnitude == 0) {  // "-0" is 0, as simdjson (the fast path) reads it
    out->kind = JsonNumber::Kind::kUint;
    out->u = magnitude;
    return true;
  }
  if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return false;
  out->kind = JsonNumber::Kind::kInt;
  out->i = static_cast<int64_t>(0 - magnitude);  // wraps to INT64_MIN exactly for 2^63
  return true;
}

// For a literal that from_chars found out of range: true if its magnitude is too large
// (rather than too small) for a float64. The decimal exponent of its first significant
// digit decides; the literal has one (a zero is never out of range).
bool Overflows(std::string_view text) {
  size_t k = text[0] == '-' ? 1 : 0;
  int64_t point = 0;  // the first significant digit stands for 10^(point - 1) before the exponent
  bool seen = false;
  for (; k < text.size() && IsDigit(text[k]); ++k) {
    if (text[k] != '0') seen = true;
    if (seen) ++point;
  }
  if (k < text.size() && text[k] == '.') {
    for (++k; k < text.size() && IsDigit(text[k]); ++k) {
      if (seen) continue;
      if (text[k] != '0') {
        seen = true;
      } else {
        --point;
      }
    }
  }
  int64_t exponent = 0;
  if (k < text.size() && (text[k] == 'e' || text[k] == 'E')) {
    ++k;
    bool negative = false;
    if (k < text.size() && (text[k] == '+' || text[k] == '-')) negative = text[k++] == '-';
    for (; k < text.size() && IsDigit(text[k]); ++k) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (text[k] - '0');  // saturates
    }
    if (negative) exponent = -exponent;
  }
  return point + exponent > 0;
}

}  // namespace

NumberStatus ConvertNumber(std::string_view text, JsonNumber* out) {
  out->text = text;
  if (ConvertInteger(text, out)) return NumberStatus::kOk;
  out->kind = JsonNumber::Kind::kDouble;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    if (Overflows(text)) return NumberStatus::kTooBig;
    value = text[0] == '-' ? -0.0 : 0.0;  // Go rounds an underflow to zero
  } else if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return NumberStatus::kTooBig;  // cannot happen for the grammar; refuse rather than guess
  }
  out->d = value;
  return NumberStatus::kOk;
}

}  // namespace cliproxy::json::internal

// JsonNumber: a JSON number as the decoder sees it, and its conversion with Go's rules.
//
// An integer literal (no fraction, no exponent) that fits 64 bits keeps its exact value,
// as Go's strconv.ParseInt reads it for an int field; anything else is a float64,
// correctly rounded as Go's strconv.ParseFloat rounds it. `text` is the literal as it
// appears in the input, which Go quotes in its error messages.
//
// Thread-safety: values; pure functions.
#ifndef CLIPROXY_SRC_SDK_JSON_NUMBER_HPP_
#define CLIPROXY_SRC_SDK_JSON_NUMBER_HPP_

#include <cstdint>
#include <string_view>

namespace cliproxy::json::internal {

struct JsonNumber {
  // kInt: a negative integer literal within int64 (in `i`); kUint: a non-negative one
  // within uint64 (in `u`); kDouble: everything else (in `d`).
  enum class Kind : uint8_t { kInt, kUint, kDouble };
  Kind kind = Kind::kUint;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view text;  // the literal; empty when the number did not come from a text

  // Go's strconv.ParseInt accepts it (an integer literal within int64).
  bool FitsInt64() const {
    if (kind == Kind::kInt) return true;
    return kind == Kind::kUint && u <= static_cast<uint64_t>(INT64_MAX);
  }
  int64_t AsInt64() const { return kind == Kind::kUint ? static_cast<int64_t>(u) : i; }
  // An integer literal within 0..255 (Go's byte).
  bool IsByte() const { return kind == Kind::kUint && u <= 255; }
  // What Go's float64 holds for it ("-0" reads as 0, as an integer literal).
  double AsDouble() const {
    if (kind == Kind::kUint) return static_cast<double>(u);
    if (kind == Kind::kInt) return static_cast<double>(i);
    return d;
  }
};

// How a number literal failed to convert.
enum class NumberStatus : uint8_t { kOk, kTooBig };

// Converts the literal `text`, which must match JSON's number grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), into `*out`. A magnitude beyond
// float64's range is kTooBig (Go's ParseFloat fails with ErrRange); one below the smallest
// subnormal is ±0, as Go rounds it. Never reads outside `text`.
NumberStatus ConvertNumber(std::string_view text, JsonNumber* out);

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_JSON_NUMBER_HPP_

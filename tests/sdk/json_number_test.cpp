// ConvertNumber: JSON number literals converted as Go's strconv converts them, checked
// against glibc's strtod (correctly rounded) on many generated literals and on the inputs
// that broke RapidJSON 1.1.0.
#include "sdk/json_number.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

namespace cliproxy::json::internal {
namespace {

JsonNumber Converted(const std::string& text) {
  JsonNumber n;
  EXPECT_EQ(ConvertNumber(text, &n), NumberStatus::kOk) << text;
  return n;
}

TEST(JsonNumber, IntegerLiteralsKeepTheirExactValueWithin64Bits) {
  EXPECT_EQ(Converted("0").kind, JsonNumber::Kind::kUint);
  EXPECT_EQ(Converted("18446744073709551615").u, UINT64_MAX);
  EXPECT_FALSE(Converted("18446744073709551615").FitsInt64());
  EXPECT_TRUE(Converted("9223372036854775807").FitsInt64());
  EXPECT_EQ(Converted("-9223372036854775808").AsInt64(), INT64_MIN);
  EXPECT_EQ(Converted("-9223372036854775809").kind, JsonNumber::Kind::kDouble);
  EXPECT_EQ(Converted("18446744073709551616").kind, JsonNumber::Kind::kDouble);
  EXPECT_EQ(Converted("18446744073709551616").d, 18446744073709551616.0);
  EXPECT_EQ(Converted("-0").kind, JsonNumber::Kind::kUint);  // as simdjson and Go's ParseInt
  EXPECT_TRUE(Converted("255").IsByte());
  EXPECT_FALSE(Converted("256").IsByte());
  EXPECT_FALSE(Converted("-1").IsByte());
  EXPECT_EQ(Converted("1.0").kind, JsonNumber::Kind::kDouble);
  EXPECT_EQ(Converted("1e2").kind, JsonNumber::Kind::kDouble);
  EXPECT_EQ(Converted("12.5").text, "12.5");
}

TEST(JsonNumber, BeyondFloat64IsTooBigAndBelowItIsZero) {
  JsonNumber n;
  EXPECT_EQ(ConvertNumber("1e400", &n), NumberStatus::kTooBig);
  EXPECT_EQ(ConvertNumber("-1e400", &n), NumberStatus::kTooBig);
  EXPECT_EQ(ConvertNumber("1" + std::string(400, '0'), &n), NumberStatus::kTooBig);
  EXPECT_EQ(ConvertNumber("0.000001e315", &n), NumberStatus::kTooBig);
  for (const char* tiny : {"1e-400", "44.0008612933375000560562e-333", "4.4000861293337500e-332",
                           "0.0000000001e-320", "100000e-99999999999999999999999"}) {
    EXPECT_EQ(Converted(tiny).d, 0.0) << tiny;
    EXPECT_FALSE(std::signbit(Converted(tiny).d)) << tiny;
  }
  EXPECT_TRUE(std::signbit(Converted("-1e-400").d));
  EXPECT_EQ(Converted("0e222").d, 0.0);
  EXPECT_EQ(Converted("0e-99999999999999999999").d, 0.0);
  EXPECT_EQ(Converted("4.9406564584124654e-324").d, 4.9406564584124654e-324);  // smallest
  EXPECT_EQ(Converted("1.7976931348623157e308").d, 1.7976931348623157e308);    // largest
}

// Random literals of every shape, against strtod in the C locale.
TEST(JsonNumber, AgreesWithACorrectlyRoundedStrtodOnGeneratedLiterals) {
  std::setlocale(LC_NUMERIC, "C");
  std::mt19937_64 rng(20261205);
  auto digits = [&](size_t count) {
    std::string s;
    for (size_t k = 0; k < count; ++k) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  int checked = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string text = (rng() % 2) ? "-" : "";
    std::string whole = digits(1 + rng() % 25);
    if (whole.size() > 1 && whole[0] == '0') whole[0] = '1';
    text += whole;
    if (rng() % 2) text += "." + digits(1 + rng() % 30);
    if (rng() % 3 != 0) {
      text += (rng() % 2) ? "e" : "E";
      if (rng() % 2) text += (rng() % 2) ? "-" : "+";
      text += std::to_string(rng() % 700);
    }
    JsonNumber n;
    const NumberStatus status = ConvertNumber(text, &n);
    const double expected = std::strtod(text.c_str(), nullptr);
    if (std::isinf(expected)) {
      EXPECT_EQ(status, NumberStatus::kTooBig) << text;
      continue;
    }
    ASSERT_EQ(status, NumberStatus::kOk) << text;
    EXPECT_EQ(n.AsDouble(), expected) << text;
    if (n.kind == JsonNumber::Kind::kDouble) {
      EXPECT_EQ(std::signbit(n.d), std::signbit(expected)) << text;  // -0.0, -1e-400
    }
    ++checked;
  }
  EXPECT_GT(checked, 100000);
}

}  // namespace
}  // namespace cliproxy::json::internal

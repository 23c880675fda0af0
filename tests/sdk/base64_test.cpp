// base64 as Go's encoding/base64.StdEncoding: the expected outputs and error offsets below
// are what Go's DecodeString returns for the same inputs.
#include "cliproxy/base64.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cliproxy::base64 {
namespace {

struct DecodeCase {
  std::string input;
  std::optional<std::string> output;  // nullopt: an error
  size_t error_offset = 0;
};

std::string Bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

TEST(Base64Encode, PadsToWholeQuanta) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("a"), "YQ==");
  EXPECT_EQ(Encode("ab"), "YWI=");
  EXPECT_EQ(Encode("abc"), "YWJj");
  EXPECT_EQ(Encode("abcd"), "YWJjZA==");
}

TEST(Base64Encode, UsesTheStandardAlphabet) {
  EXPECT_EQ(Encode(Bytes({0xff, 0xff})), "//8=");
  EXPECT_EQ(Encode(Bytes({0xfb, 0xff, 0xbf})), "+/+/");
}

TEST(Base64Decode, RoundTripsEveryByteAtEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    std::string bytes = all.substr(256 - len);
    std::string out;
    std::string error;
    ASSERT_TRUE(Decode(Encode(bytes), &out, &error)) << len << ": " << error;
    EXPECT_EQ(out, bytes);
  }
}

TEST(Base64Decode, MatchesGoOnValidAndInvalidInput) {
  const DecodeCase cases[] = {
      {"", "", 0},
      {"YQ==", "a", 0},
      {"YWI=", "ab", 0},
      {"YWJj", "abc", 0},
      {"YWJjZGVm", "abcdef", 0},
      // Go skips \r and \n anywhere, also inside and after the padding.
      {"YW\r\nJj", "abc", 0},
      {"\nYWJj\n", "abc", 0},
      {"YWI=\n", "ab", 0},
      {"YQ==\n\n", "a", 0},
      {"YQ=\n=", "a", 0},
      // Non-zero trailing bits are accepted (StdEncoding is not Strict).
      {"YR==", "a", 0},
      {"YWJ=", "ab", 0},
      // Missing padding: the offset is the start of the incomplete quantum.
      {"Y", std::nullopt, 0},
      {"YQ", std::nullopt, 0},
      {"YWI", std::nullopt, 0},
      {"YWJjZA", std::nullopt, 4},
      {"YWJjZGVmZ2hpams", std::nullopt, 12},
      // Bad padding.
      {"YQ=", std::nullopt, 3},
      {"YWJjZA=", std::nullopt, 7},
      {"Y===", std::nullopt, 1},
      {"=", std::nullopt, 0},
      {"==", std::nullopt, 0},
      {"YQ=\nx", std::nullopt, 3},
      // Anything after the padding.
      {"YQ==x", std::nullopt, 4},
      {"YQ==YQ==", std::nullopt, 4},
      {"YWJj\n=", std::nullopt, 5},
      // Bytes outside the standard alphabet: URL-safe '-' '_', space, NUL, high bytes.
      {"Y-_j", std::nullopt, 1},
      {"YWJ-", std::nullopt, 3},
      {"YW Jj", std::nullopt, 2},
      {std::string("YWJj\0", 5), std::nullopt, 4},
      {"YW\x80J", std::nullopt, 2},
  };
  for (const DecodeCase& c : cases) {
    std::string out;
    std::string error;
    bool ok = Decode(c.input, &out, &error);
    if (c.output) {
      EXPECT_TRUE(ok) << testing::PrintToString(c.input) << ": " << error;
      EXPECT_EQ(out, *c.output) << testing::PrintToString(c.input);
    } else {
      EXPECT_FALSE(ok) << testing::PrintToString(c.input);
      EXPECT_EQ(error, "illegal base64 data at input byte " + std::to_string(c.error_offset))
          << testing::PrintToString(c.input);
    }
  }
}

TEST(Base64Decode, ClearsTheOutputFirst) {
  std::string out = "stale";
  std::string error;
  ASSERT_TRUE(Decode("YQ==", &out, &error));
  EXPECT_EQ(out, "a");
}

}  // namespace
}  // namespace cliproxy::base64

// Go's strings.TrimSpace, which the reference plugin applies to auth_id and delegate and
// CLIProxyAPI's host to metadata, pick replies and error messages; ASCII case folding.
#include "cliproxy/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cliproxy {
namespace {

TEST(TrimSpace, TrimsAsciiWhiteSpace) {
  EXPECT_EQ(TrimSpace("  b  "), "b");
  EXPECT_EQ(TrimSpace("\t\n\v\f\r b \t\n\v\f\r"), "b");
  EXPECT_EQ(TrimSpace(" a b "), "a b");
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace(" \t "), "");
}

TEST(TrimSpace, TrimsUnicodeWhiteSpaceAtBothEnds) {
  // U+0085 NEL, U+00A0 NBSP, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
  const char* spaces[] = {"\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80",
                          "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                          "\xE2\x81\x9F", "\xE3\x80\x80"};
  for (const char* space : spaces) {
    std::string s = std::string(space) + "b" + space + space;
    EXPECT_EQ(TrimSpace(s), "b") << testing::PrintToString(s);
  }
}

TEST(TrimSpace, KeepsWhatGoDoesNotCallSpace) {
  // U+200B ZERO WIDTH SPACE, U+FEFF BOM, U+180E MONGOLIAN VOWEL SEPARATOR are not spaces.
  for (const char* keep : {"\xE2\x80\x8B", "\xEF\xBB\xBF", "\xE1\xA0\x8E"}) {
    std::string s = std::string(keep) + "b" + keep;
    EXPECT_EQ(TrimSpace(s), s) << testing::PrintToString(s);
  }
}

TEST(TrimSpace, StopsAtInvalidUtf8) {
  EXPECT_EQ(TrimSpace(" \xFF b \xC2"), "\xFF b \xC2");
  // A lone continuation byte after a space-like lead is not a space either.
  EXPECT_EQ(TrimSpace("b\xA0"), "b\xA0");
  EXPECT_EQ(TrimSpace("\xA0"
                      "b"),
            "\xA0"
            "b");
  // Overlong forms of a space (C0 A0 is ' ' in two bytes) and a truncated U+3000 are
  // invalid bytes to Go, not spaces.
  EXPECT_EQ(TrimSpace("\xC0\xA0x\xC0\xA0"), "\xC0\xA0x\xC0\xA0");
  EXPECT_EQ(TrimSpace("\xE0\x80\xA0x"), "\xE0\x80\xA0x");
  EXPECT_EQ(TrimSpace("x\xE3\x80"), "x\xE3\x80");
}

TEST(EqualsAsciiFold, FoldsAsciiLettersOnly) {
  EXPECT_TRUE(EqualsAsciiFold("X-Session-ID", "x-session-id"));
  EXPECT_TRUE(EqualsAsciiFold("", ""));
  EXPECT_FALSE(EqualsAsciiFold("disabled", "disable"));
  EXPECT_FALSE(EqualsAsciiFold("[", "{"));  // 0x5B and 0x7B differ by 32 but are not letters
  EXPECT_FALSE(EqualsAsciiFold("\xC3\x89", "\xC3\xA9"));  // no Unicode folding
}

}  // namespace
}  // namespace cliproxy

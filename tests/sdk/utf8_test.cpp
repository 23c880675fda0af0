// UTF-8 with Go's rules (unicode/utf8): every byte that does not start a valid, shortest,
// non-surrogate sequence up to U+10FFFF is one invalid byte, replaced by one U+FFFD.
#include "sdk/utf8.hpp"

#include <gtest/gtest.h>

namespace cliproxy::utf8 {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(Utf8, AcceptsValidSequencesOfEveryLength) {
  EXPECT_EQ(SequenceLength("a", 0), 1u);
  EXPECT_EQ(SequenceLength("\xC2\x80", 0), 2u);          // U+0080
  EXPECT_EQ(SequenceLength("\xDF\xBF", 0), 2u);          // U+07FF
  EXPECT_EQ(SequenceLength("\xE0\xA0\x80", 0), 3u);      // U+0800
  EXPECT_EQ(SequenceLength("\xED\x9F\xBF", 0), 3u);      // U+D7FF
  EXPECT_EQ(SequenceLength("\xEE\x80\x80", 0), 3u);      // U+E000
  EXPECT_EQ(SequenceLength("\xEF\xBF\xBF", 0), 3u);      // U+FFFF
  EXPECT_EQ(SequenceLength("\xF0\x90\x80\x80", 0), 4u);  // U+10000
  EXPECT_EQ(SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  EXPECT_TRUE(IsValid("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(Utf8, RejectsOverlongSurrogateAndOutOfRangeForms) {
  EXPECT_EQ(SequenceLength("\xC0\x80", 0), 0u);          // overlong NUL
  EXPECT_EQ(SequenceLength("\xC1\xBF", 0), 0u);          // overlong
  EXPECT_EQ(SequenceLength("\xE0\x80\x80", 0), 0u);      // overlong
  EXPECT_EQ(SequenceLength("\xED\xA0\x80", 0), 0u);      // U+D800
  EXPECT_EQ(SequenceLength("\xED\xBF\xBF", 0), 0u);      // U+DFFF
  EXPECT_EQ(SequenceLength("\xF0\x80\x80\x80", 0), 0u);  // overlong
  EXPECT_EQ(SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(SequenceLength("\xF5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(SequenceLength("\xFF", 0), 0u);
  EXPECT_EQ(SequenceLength("\x80", 0), 0u);  // a lone continuation byte
}

TEST(Utf8, RejectsTruncatedAndInterruptedSequences) {
  EXPECT_EQ(SequenceLength("\xE2\x82", 0), 0u);
  EXPECT_EQ(SequenceLength("\xE2\x82\x41", 0), 0u);
  EXPECT_EQ(SequenceLength("\xF0\x9F\x98", 0), 0u);
  EXPECT_FALSE(IsValid("abc\xC3"));
}

TEST(Utf8, SanitizeReplacesEachInvalidByteOnce) {
  EXPECT_EQ(Sanitize("a\xFF"
                     "b"),
            std::string("a") + kReplacement + "b");
  // Go decodes "\xE2\x82A" as RuneError, RuneError, 'A': one replacement per byte.
  EXPECT_EQ(Sanitize("\xE2\x82"
                     "A"),
            std::string(kReplacement) + kReplacement + "A");
  // An encoded surrogate is three invalid bytes.
  EXPECT_EQ(Sanitize("\xED\xA0\x80"), std::string(kReplacement) + kReplacement + kReplacement);
  // Valid text, including a literal U+FFFD, is kept as it is.
  EXPECT_EQ(Sanitize("ok \xEF\xBF\xBD \xF0\x9F\x98\x80"), "ok \xEF\xBF\xBD \xF0\x9F\x98\x80");
  EXPECT_EQ(Sanitize(""), "");
}

}  // namespace
}  // namespace cliproxy::utf8

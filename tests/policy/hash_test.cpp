// Hash64 is XXH64: session placement must be the same on every machine and release, so
// the hash is checked against the reference implementation's published outputs.
#include <gtest/gtest.h>

#include <string>

#include "base/hash.hpp"

namespace cliproxy::scheduler {
namespace {

TEST(HashTest, MatchesReferenceXxh64) {
  EXPECT_EQ(Hash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(Hash64("abc"), 0x44BC2CF5AD770999ULL);
  // 65 bytes: the 32-byte stripe loop, then 8-, 4- and 1-byte tails.
  EXPECT_EQ(Hash64("Nobody inspects the spammish repetition, said the quick brown fox"),
            0x7FDF0F69C8269E62ULL);
}

TEST(HashTest, UnitIntervalIsOpen) {
  EXPECT_GT(ToUnitInterval(0), 0.0);
  EXPECT_LT(ToUnitInterval(~0ULL), 1.0);
  EXPECT_LT(ToUnitInterval(0x8000000000000000ULL - 1), ToUnitInterval(0x8000000000000000ULL));
}

}  // namespace
}  // namespace cliproxy::scheduler

// The wire containers: Go's nil/empty distinction and map assignment.
#include "cliproxy/types.hpp"

#include <gtest/gtest.h>

namespace cliproxy {
namespace {

TEST(Slice, NilUntilMarkedEmptyOrFilled) {
  Slice<int> s;
  EXPECT_TRUE(s.is_null());
  s.empty_not_null = true;
  EXPECT_FALSE(s.is_null());
  Slice<int> filled = {1};
  EXPECT_FALSE(filled.is_null());
}

TEST(FlatMap, SetReplacesLikeGoAssignmentAndKeepsInsertionOrder) {
  StringMap m;
  EXPECT_TRUE(m.is_null());
  m.Set("b", "1");
  m.Set("a", "2");
  m.Set("b", "3");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.entries[0].first, "b");
  EXPECT_EQ(*m.Find("b"), "3");
  EXPECT_EQ(m.Find("c"), nullptr);
  m.Clear();
  EXPECT_TRUE(m.is_null());
  m.empty_not_null = true;
  EXPECT_FALSE(m.is_null());
  EXPECT_TRUE(m.empty());
}

TEST(FindHeader, MatchesNamesCaseInsensitively) {
  HeaderMap headers;
  headers.Set("X-Session-Id", {"abc"});
  const Slice<std::string>* values = FindHeader(headers, "x-session-ID");
  ASSERT_NE(values, nullptr);
  EXPECT_EQ((*values)[0], "abc");
  EXPECT_EQ(FindHeader(headers, "X-Session"), nullptr);
}

}  // namespace
}  // namespace cliproxy

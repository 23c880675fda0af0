// A candidate with an empty ID is never chosen: the host treats {"AuthID":"","Handled":true}
// as an invalid reply. Every strategy ignores such candidates (Route leaves them out of the
// pool); a pool of nothing else is an empty pool. Regression of issue 9 (round-robin, sticky
// and least-used answered with the empty ID, which sorts first).
#include <gtest/gtest.h>

#include <string>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

struct StrategyCase {
  const char* name;
  const char* route;  // the YAML of one route
};

class EmptyIdTest : public ::testing::TestWithParam<StrategyCase> {};

TEST_P(EmptyIdTest, IsNeverChosen) {
  auto policy = Compile(std::string("routes:\n  - ") + GetParam().route + "\n");
  // The empty ID first and last: it would sort first and be the first offered.
  Request request({"", "b", "a", ""});
  request.Header("X-Session-Id", "s1");
  for (int i = 0; i < 6; ++i) {
    const std::string chosen = PickId(*policy, request);
    EXPECT_TRUE(chosen == "a" || chosen == "b") << "pick " << i << ": " << chosen;
  }
}

TEST_P(EmptyIdTest, APoolOfOnlyEmptyIdsIsAnEmptyPool) {
  auto policy = Compile(std::string("routes:\n  - ") + GetParam().route + "\n");
  Request request({"", ""});
  request.Header("X-Session-Id", "s1");
  EXPECT_EQ(PickId(*policy, request), "<error auth_unavailable>");
}

INSTANTIATE_TEST_SUITE_P(
    EveryStrategy, EmptyIdTest,
    ::testing::Values(StrategyCase{"order", "{name: r, strategy: order, order: ['*']}"},
                      StrategyCase{"fill_first", "{name: r, strategy: fill-first}"},
                      StrategyCase{"round_robin", "{name: r, strategy: round-robin}"},
                      StrategyCase{"weighted", "{name: r, strategy: weighted}"},
                      StrategyCase{"sticky", "{name: r, strategy: sticky}"},
                      StrategyCase{"sticky_rendezvous",
                                   "{name: r, strategy: sticky, session: {ttl: 0}}"},
                      StrategyCase{"least_used", "{name: r, strategy: least-used}"},
                      StrategyCase{"fastest", "{name: r, strategy: fastest}"}),
    [](const ::testing::TestParamInfo<StrategyCase>& param) { return param.param.name; });

TEST(EmptyIdReferenceTest, AnEmptyAuthIdIsUnsetAndMatchesNoCandidate) {
  // auth_id is trimmed; "   " is empty, i.e. unset: the empty candidate is not pinned.
  auto policy = Compile("auth_id: '   '\n");
  EXPECT_EQ(PickId(*policy, Request({"", "a"})), "<unhandled>");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// The `round-robin` strategy: rotation in ID order over the route's pool, resuming after
// the last account chosen when the pool shrinks or grows.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr const char* kConfig = R"(
routes:
  - name: rr
    strategy: round-robin
)";

std::vector<std::string> PickMany(const Policy& policy, const PickRequest& request, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(PickId(policy, request));
  return out;
}

TEST(RoundRobinTest, RotatesInIdOrderStartingAtTheSmallest) {
  auto policy = Compile(kConfig);
  // Offered out of order: the rotation follows ID order, not the host's order.
  Request request({"c.json", "a.json", "b.json"});
  EXPECT_EQ(PickMany(*policy, request, 7),
            (std::vector<std::string>{"a.json", "b.json", "c.json", "a.json", "b.json", "c.json",
                                      "a.json"}));
}

TEST(RoundRobinTest, IsTheDefaultStrategy) {
  auto policy = Compile("routes: [{name: default}]\n");
  Request request({"a", "b"});
  EXPECT_EQ(PickMany(*policy, request, 3), (std::vector<std::string>{"a", "b", "a"}));
}

TEST(RoundRobinTest, SpreadsEvenlyOverTenThousandPicks) {
  auto policy = Compile(kConfig);
  Request request(Ids("acct-", 7));
  std::map<std::string, int> count;
  for (int i = 0; i < 10'000; ++i) ++count[PickId(*policy, request)];
  ASSERT_EQ(count.size(), 7u);
  for (const auto& [id, n] : count) {
    // 10000 / 7 = 1428.57: every account gets 1428 or 1429.
    EXPECT_GE(n, 1428) << id;
    EXPECT_LE(n, 1429) << id;
  }
}

TEST(RoundRobinTest, SkipsAnAccountThatLeavesWithoutShiftingTheOthers) {
  auto policy = Compile(kConfig);
  Request all({"a", "b", "c", "d"});
  EXPECT_EQ(PickId(*policy, all), "a");
  // b is cooling down: the host stops offering it. An index cursor (1) would now point
  // at c and then d; the rotation goes on from a, so it is c (b's slot is skipped).
  Request without_b({"a", "c", "d"});
  EXPECT_EQ(PickId(*policy, without_b), "c");
  EXPECT_EQ(PickId(*policy, without_b), "d");
  // b is back: it takes its place in ID order, after a.
  EXPECT_EQ(PickMany(*policy, all, 4), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(RoundRobinTest, ResumesAfterTheLastChosenEvenWhenItLeft) {
  auto policy = Compile(kConfig);
  Request all({"a", "b", "c", "d"});
  EXPECT_EQ(PickMany(*policy, all, 2), (std::vector<std::string>{"a", "b"}));
  // The last chosen account (b) is not offered any more: the next is the one after b.
  Request without_b({"a", "c", "d"});
  EXPECT_EQ(PickId(*policy, without_b), "c");
}

TEST(RoundRobinTest, ANewAccountJoinsAtItsPlaceInIdOrder) {
  auto policy = Compile(kConfig);
  Request three({"a", "c", "e"});
  EXPECT_EQ(PickId(*policy, three), "a");
  Request grown({"a", "b", "c", "d", "e"});
  EXPECT_EQ(PickMany(*policy, grown, 5), (std::vector<std::string>{"b", "c", "d", "e", "a"}));
}

TEST(RoundRobinTest, WrapsAroundWhenTheLastChosenWasTheLargest) {
  auto policy = Compile(kConfig);
  Request two({"x", "y"});
  EXPECT_EQ(PickMany(*policy, two, 2), (std::vector<std::string>{"x", "y"}));
  Request others({"m", "n"});  // everything after y: wraps to the smallest
  EXPECT_EQ(PickId(*policy, others), "m");
}

TEST(RoundRobinTest, RotatesOnlyInsideThePool) {
  auto policy = Compile(R"(
routes:
  - name: team
    pool: {ids: ["team-*"]}
    strategy: round-robin
)");
  Request request({"other-1", "team-2", "team-1", "other-2"});
  EXPECT_EQ(PickMany(*policy, request, 3),
            (std::vector<std::string>{"team-1", "team-2", "team-1"}));
}

// The rotation as the header states it, on an ordered set: the smallest ID after the last
// chosen, else the smallest.
class RotationModel {
 public:
  std::string Pick(const std::vector<std::string>& pool) {
    const std::set<std::string> ids(pool.begin(), pool.end());
    auto it = last_ ? ids.upper_bound(*last_) : ids.begin();
    if (it == ids.end()) it = ids.begin();
    last_ = *it;
    return *it;
  }

 private:
  std::optional<std::string> last_;
};

TEST(RoundRobinTest, FollowsTheRotationOverChangingPoolsInAnyOrderWithDuplicates) {
  auto policy = Compile(kConfig);
  RotationModel model;
  std::mt19937 random(20240611);
  const std::vector<std::string> all = Ids("acct-", 40);
  for (int pick = 0; pick < 3000; ++pick) {
    // Pools of 1 to 40 accounts (small ones often), offered in any order, sometimes
    // with an ID offered twice.
    std::vector<std::string> pool;
    const int size = 1 + static_cast<int>(random() % (random() % 2 ? 6 : 40));
    std::sample(all.begin(), all.end(), std::back_inserter(pool), size, random);
    std::shuffle(pool.begin(), pool.end(), random);
    if (random() % 4 == 0) pool.push_back(pool[random() % pool.size()]);
    if (random() % 3 == 0) std::reverse(pool.begin(), pool.end());
    const std::string expected = model.Pick(pool);
    ASSERT_EQ(PickId(*policy, Request(pool)), expected) << "pick " << pick;
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// Route state under account churn: millions of distinct account IDs pass through a route
// (accounts created, rotated, deleted; pools of tenants that come and go), and afterwards
// every strategy still decides exactly over the accounts it is offered, while the records
// it keeps per account (Policy::RouteInfo::records) stay bounded.
//
// Regressions of issue 9: round-robin stopped rotating for good after ~6,144 distinct IDs
// (300 picks over 3 new accounts went 300/0/0); least-used and fastest failed open after
// ~24,576 (every pick went to the lowest ID and `usage.limit` was no longer enforced).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// Distinct IDs per strategy: 1.2 million in optimized builds, 300,000 in unoptimized ones
// (the AddressSanitizer build is -O0; a few seconds each), both far beyond every former
// limit (6,144 and 24,576). CLIPROXY_CHURN_IDS=10000000 makes a longer manual run.
int ChurnIds() {
#ifdef NDEBUG
  constexpr int kDefault = 1'200'000;
#else
  constexpr int kDefault = 300'000;
#endif
  const char* text = std::getenv("CLIPROXY_CHURN_IDS");
  return text != nullptr && std::atoi(text) > 0 ? std::atoi(text) : kDefault;
}
const int kChurnIds = ChurnIds();
constexpr int kPoolSize = 12;

// A pool of kPoolSize fresh IDs per step, rewritten in place (no allocation per step).
class FreshPools {
 public:
  FreshPools() : request_(std::vector<std::string>(kPoolSize, "")) {}
  const PickRequest& Next() {
    for (Candidate& c : request_.mutable_request().candidates) {
      c.id.assign("churn-");
      c.id += std::to_string(next_++);
    }
    return request_;
  }
  int issued() const { return next_; }

 private:
  Request request_;
  int next_ = 0;
};

size_t Records(const Policy& policy, size_t route = 0) { return policy.Routes()[route].records; }

// A usage record of `auth` that ends when it arrives (no RequestedAt).
UsageRecord Untimed(const std::string& auth, int64_t latency_ms = 0) {
  UsageRecord r;
  r.auth_id = auth;
  r.latency_ns = latency_ms * 1'000'000;
  return r;
}

std::map<std::string, int> Count(const Policy& policy, const PickRequest& request, int picks,
                                 Clock::time_point now = Clock::time_point{}) {
  std::map<std::string, int> count;
  for (int i = 0; i < picks; ++i) ++count[Chosen(policy.Pick(request, now))];
  return count;
}

TEST(ChurnTest, RoundRobinRotatesExactlyOverNewAccountsAfterMillionsOfIds) {
  auto policy = Compile("routes: [{name: rr, strategy: round-robin}]\n");
  FreshPools pools;
  while (pools.issued() < kChurnIds) {
    const PickRequest& request = pools.Next();
    const std::string chosen = PickId(*policy, request);
    ASSERT_EQ(chosen.rfind("churn-", 0), 0u) << chosen;
  }
  // One thread: the cursor's node and the one the next pick writes.
  EXPECT_LE(Records(*policy), 2u);

  Request three({"new-a", "new-b", "new-c"});
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) order.push_back(PickId(*policy, three));
  EXPECT_EQ(order,
            (std::vector<std::string>{"new-a", "new-b", "new-c", "new-a", "new-b", "new-c"}));
  EXPECT_EQ(Count(*policy, three, 300),
            (std::map<std::string, int>{{"new-a", 100}, {"new-b", 100}, {"new-c", 100}}));
  EXPECT_LE(Records(*policy), 2u);
}

TEST(ChurnTest, WeightedKeepsExactSharesAfterMillionsOfIds) {
  auto policy = Compile(R"(
routes:
  - name: plans
    strategy: weighted
    weights: {"max-*": 3, "pro-*": 1, "churn-*": 1}
)");
  FreshPools pools;
  size_t most = 0;
  while (pools.issued() < kChurnIds) {
    PickId(*policy, pools.Next());
    if (pools.issued() % 1'200 == 0) most = std::max(most, Records(*policy));
  }
  // Absent accounts are forgotten once the slots outnumber four pools plus 256.
  EXPECT_LE(most, 4u * kPoolSize + 256 + kPoolSize);

  Request plans({"max-1", "pro-1"});
  std::vector<std::string> cycle;
  for (int i = 0; i < 4; ++i) cycle.push_back(PickId(*policy, plans));
  EXPECT_EQ(cycle, (std::vector<std::string>{"max-1", "max-1", "pro-1", "max-1"}));
  EXPECT_EQ(Count(*policy, plans, 400),
            (std::map<std::string, int>{{"max-1", 300}, {"pro-1", 100}}));
}

constexpr const char* kBudget = R"(
routes:
  - name: budget
    strategy: least-used
    usage: {measure: requests, window: 1m, limit: 3}
    error: {status: 429, code: budget_spent}
)";

// Churns fresh pools through `policy` until kChurnIds IDs have passed: every `step`
// seconds one pool, each of its accounts reporting `record`, then one pick that must choose
// one of them. Returns the route's records at half-time; `*t` ends at the last step.
size_t ChurnUsage(const Policy& policy, double step, UsageRecord record, double* t) {
  FreshPools pools;
  size_t at_half = 0;
  while (pools.issued() < kChurnIds) {
    *t += step;
    const PickRequest& request = pools.Next();
    for (const Candidate& c : request.candidates) {
      record.auth_id = c.id;
      policy.ObserveUsage(record, Mono(*t));
    }
    const std::string chosen = Chosen(policy.Pick(request, Mono(*t)));
    EXPECT_EQ(chosen.rfind("churn-", 0), 0u) << chosen;
    if (chosen.rfind("churn-", 0) != 0) break;
    if (at_half == 0 && pools.issued() >= kChurnIds / 2) at_half = Records(policy);
  }
  return at_half;
}

TEST(ChurnTest, LeastUsedEnforcesItsLimitAfterMillionsOfIds) {
  auto policy = Compile(kBudget);
  double t = 0;
  // Every account of a pool reports one request (no RequestedAt: it ends "now" on the usage
  // clock); the pick counts one in flight.
  const size_t at_half = ChurnUsage(*policy, 1, UsageRecord{}, &t);
  // Live: 60 s of records (720 accounts) and 15 min of picks in flight (900).
  const size_t at_end = Records(*policy);
  EXPECT_LE(at_end, 2 * (720 + 900) + 256);
  EXPECT_LE(at_end, at_half + at_half / 4) << "memory grows with the accounts seen";

  // a has spent its budget, b has one request left, c three: exactly 4 picks, never a.
  for (int i = 0; i < 3; ++i) policy->ObserveUsage(Untimed("a"), Mono(t));
  for (int i = 0; i < 2; ++i) policy->ObserveUsage(Untimed("b"), Mono(t));
  Request abc({"a", "b", "c"});
  std::map<std::string, int> count = Count(*policy, abc, 10, Mono(t));
  EXPECT_EQ(count, (std::map<std::string, int>{{"b", 1}, {"c", 3}, {"<error budget_spent>", 6}}));
}

TEST(ChurnTest, FastestPrefersTheFastAccountAfterMillionsOfIds) {
  auto policy = Compile(R"(
routes:
  - name: speed
    strategy: fastest
    latency: {explore: 0}
)");
  double t = 0;
  UsageRecord record;
  record.latency_ns = 1'000'000'000;
  const size_t at_half = ChurnUsage(*policy, 5, record, &t);
  // Kept for an hour without a pick or sample: 720 steps of 12 accounts.
  const size_t at_end = Records(*policy);
  EXPECT_LE(at_end, 2 * 720 * kPoolSize + 256);
  EXPECT_LE(at_end, at_half + at_half / 4) << "memory grows with the accounts seen";

  for (int i = 0; i < 3; ++i) {
    policy->ObserveUsage(Untimed("fast", 100), Mono(t));
    policy->ObserveUsage(Untimed("slow", 5'000), Mono(t));
  }
  Request both({"slow", "fast"});
  // The fast account takes picks until its queue makes it slower than the slow one.
  std::vector<std::string> picks;
  for (int i = 0; i < 3; ++i) picks.push_back(Chosen(policy->Pick(both, Mono(t))));
  EXPECT_EQ(picks, (std::vector<std::string>{"fast", "fast", "fast"}));
}

// Collects what the policy logs.
class RecordingLogger : public Logger {
 public:
  void Warn(std::string_view message) const noexcept override { warnings.emplace_back(message); }
  mutable std::vector<std::string> warnings;
};

// Fills a least-used route's table (24,576 accounts, the default bound) with accounts
// that each have one request in the window ending at Mono(t).
void FillTable(const Policy& policy, double t) {
  for (int i = 0; i < 24'576; ++i)
    policy.ObserveUsage(Untimed("filler-" + std::to_string(i)), Mono(t));
}

TEST(FullTableTest, LeastUsedDoesNotPickAnAccountItCannotTrackAndLogsOnce) {
  auto logger = std::make_shared<RecordingLogger>();
  auto policy = Policy::Compile(ParseConfig(kBudget), nullptr, logger);
  FillTable(*policy, 0);
  EXPECT_EQ(Records(*policy), 24'576u);
  // A new account has no usage and the lowest ID: with room it would win every pick. It
  // cannot be tracked, so its picks could not be counted against the limit: left out.
  Request pool({"aaa-new", "filler-7"});
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(1))), "filler-7");
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(1))), "filler-7");
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(1))), "<error budget_spent>");  // filler-7 is at 3
  EXPECT_EQ(Records(*policy), 24'576u);
  ASSERT_EQ(logger->warnings.size(), 1u);
  EXPECT_NE(logger->warnings[0].find("route \"budget\" (least-used)"), std::string::npos)
      << logger->warnings[0];
  EXPECT_NE(logger->warnings[0].find("24576"), std::string::npos) << logger->warnings[0];

  // Once the window has passed the fillers, their entries serve new accounts.
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(16 * 60))), "aaa-new");
  EXPECT_EQ(logger->warnings.size(), 1u);
}

TEST(FullTableTest, ARecordThatFoundNoRoomKeepsNewAccountsOutUntilItLeavesTheWindow) {
  auto policy = Compile(kBudget);
  FillTable(*policy, 0);
  // aaa-x spends its whole budget while the table is full: the records are dropped.
  for (int i = 0; i < 3; ++i) policy->ObserveUsage(Untimed("aaa-x"), Mono(50));
  Request pool({"aaa-x", "filler-1"});
  // At 80 s the fillers' requests have left the window (1m), aaa-x's have not: aaa-x has
  // room for an entry now, but its usage was lost, so it is not picked.
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(80))), "filler-1");
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(81))), "filler-1");
  // After 110 s aaa-x's dropped requests would have left the window too.
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(112))), "aaa-x");
}

TEST(FullTableTest, FastestDoesNotPickAnAccountItCannotTrackAndLogsOnce) {
  auto logger = std::make_shared<RecordingLogger>();
  auto policy =
      Policy::Compile(ParseConfig("routes: [{name: speed, strategy: fastest}]\n"), nullptr, logger);
  for (int i = 0; i < 24'576; ++i) {
    policy->ObserveUsage(Untimed("filler-" + std::to_string(i), 1'000), Mono(0));
  }
  // Never measured, so scored with the best average: it would win the tie by its ID.
  Request pool({"aaa-new", "filler-7"});
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(1))), "filler-7");
  EXPECT_EQ(Chosen(policy->Pick(pool, Mono(1))), "filler-7");
  ASSERT_EQ(logger->warnings.size(), 1u);
  EXPECT_NE(logger->warnings[0].find("route \"speed\" (fastest)"), std::string::npos);
  // An hour later without picks or samples, the fillers make room.
  EXPECT_EQ(Chosen(policy->Pick(Request({"aaa-new"}), Mono(2 * 3600))), "aaa-new");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

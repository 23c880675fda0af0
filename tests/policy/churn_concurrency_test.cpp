// Route state forgetting accounts while threads pick and report usage on the same route:
// entries change hands and cursor nodes are reused under lock-free readers. Run under
// ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr int kThreads = 2;
constexpr int kSteps = 8'000;
constexpr int kPoolSize = 8;

// Fresh IDs of one thread, rewritten in place.
class ThreadPools {
 public:
  explicit ThreadPools(int thread)
      : prefix_("t" + std::to_string(thread) + "-"),
        request_(std::vector<std::string>(kPoolSize, "")) {}
  const PickRequest& Next() {
    for (Candidate& c : request_.mutable_request().candidates) {
      c.id = prefix_ + std::to_string(next_++);
    }
    return request_;
  }

 private:
  std::string prefix_;
  Request request_;
  int next_ = 0;
};

bool Offered(const PickRequest& request, const std::string& id) {
  for (const Candidate& c : request.candidates) {
    if (c.id == id) return true;
  }
  return false;
}

TEST(ChurnConcurrency, RoundRobinReusesCursorNodesWhileThreadsPickFreshPools) {
  auto policy = Compile("routes: [{name: rr, strategy: round-robin}]\n");
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ThreadPools pools(t);
      Request fixed({"a", "b", "c"});
      for (int i = 0; i < kSteps; ++i) {
        const PickRequest& request = i % 2 ? pools.Next() : fixed.get();
        if (!Offered(request, PickId(*policy, request))) ++bad;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  // The cursor, and per thread at most one node read and one written.
  EXPECT_LE(policy->Routes()[0].records, 1u + 2 * kThreads);

  Request fixed({"a", "b", "c"});
  std::map<std::string, int> count;
  for (int i = 0; i < 300; ++i) ++count[PickId(*policy, fixed)];
  EXPECT_EQ(count, (std::map<std::string, int>{{"a", 100}, {"b", 100}, {"c", 100}}));
}

TEST(ChurnConcurrency, LeastUsedForgetsQuietAccountsWhileThreadsPickAndReport) {
  auto policy = Compile(R"(
routes:
  - name: budget
    strategy: least-used
    usage: {measure: requests, window: 1m, limit: 3}
)");
  // Simulated time: every step of every thread advances it by 1/kThreads s. Picks in
  // flight expire after 15 minutes and requests leave the window after one, so entries
  // keep changing hands.
  std::atomic<int> steps{0};
  std::atomic<int> bad{0};
  std::atomic<int> over_limit_picked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ThreadPools pools(t);
      Request spent({"spent", "fresh-" + std::to_string(t)});
      UsageRecord record;
      for (int i = 0; i < kSteps; ++i) {
        const double now = static_cast<double>(steps.fetch_add(1) + 1) / kThreads;
        const PickRequest& request = pools.Next();
        for (const Candidate& c : request.candidates) {
          record.auth_id = c.id;
          policy->ObserveUsage(record, Mono(now));
        }
        if (!Offered(request, Chosen(policy->Pick(request, Mono(now))))) ++bad;
        // `spent` is over its limit at every moment: never picked.
        record.auth_id = "spent";
        for (int k = 0; k < 3; ++k) policy->ObserveUsage(record, Mono(now));
        if (Chosen(policy->Pick(spent, Mono(now))) == "spent") ++over_limit_picked;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(over_limit_picked.load(), 0);
  // Live: a minute of records and 15 minutes of picks in flight, of every thread.
  EXPECT_LE(policy->Routes()[0].records, 2u * kThreads * (60 * kPoolSize + 900 * 2) + 256);
  EXPECT_GT(steps.load() * kPoolSize, 4 * 24'576) << "fewer IDs than the former bound";
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

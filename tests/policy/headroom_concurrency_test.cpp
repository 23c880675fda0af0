// headroom under usage records racing picks on several threads: every answer is an account
// of the pool or the route's error, and once the racing stops the state is what the last
// records said. Run under ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/rfc3339.hpp"
#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

UsageBuilder Claude(const std::string& auth, int at, double used, int reset) {
  UsageBuilder b(auth, at);
  b.Header("anthropic-ratelimit-unified-5h-utilization", std::to_string(used))
      .Header("anthropic-ratelimit-unified-5h-reset",
              std::to_string(*ParseRfc3339(At(0)) / 1'000'000'000 + reset));
  return b;
}

TEST(HeadroomConcurrency, RecordsRacingPicksLeaveEveryAnswerValid) {
  auto policy = Compile("routes:\n  - name: plans\n    strategy: headroom\n");
  const std::vector<std::string> ids = {"a", "b", "c", "d"};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string& id = ids[(i + t) % ids.size()];
        policy->ObserveUsage(Claude(id, i % 600, (i % 100) / 100.0, 3600 + i % 7), Mono(i * 0.001));
        if (i % 50 == 0) {
          policy->ObserveUsage(UsageBuilder(id, i % 600).Failed(429).Header("retry-after", "1"),
                               Mono(i * 0.001));
        }
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const std::string chosen = Chosen(policy->Pick(Request(ids), Mono(i * 0.001)));
        if (chosen != "a" && chosen != "b" && chosen != "c" && chosen != "d" &&
            chosen != "<error auth_unavailable>") {
          bad.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  // Settled: the newest answers say only c has room.
  for (const std::string& id : ids) {
    policy->ObserveUsage(Claude(id, 700, id == "c" ? 0.2 : 0.99, 3600), Mono(10));
  }
  EXPECT_EQ(Chosen(policy->Pick(Request(ids), Mono(10))), "c");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

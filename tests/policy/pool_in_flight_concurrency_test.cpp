// pool.max_in_flight under picks racing on many threads: the cap holds exactly (the count
// and the cap are checked together), and records racing the picks end exactly one pick each.
// Run under ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

TEST(PoolInFlightConcurrency, RacingPicksNeverPutMoreThanTheCapInFlight) {
  for (const char* strategy : {"round-robin", "fill-first", "headroom"}) {
    auto policy = Compile("routes:\n  - name: capped\n    strategy: " + std::string(strategy) +
                          "\n    pool: {max_in_flight: 3}\n");
    std::mutex mutex;
    std::map<std::string, int> chosen;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          const std::string id = Chosen(policy->Pick(Request({"a", "b", "c", "d"}), Mono(0)));
          std::lock_guard<std::mutex> lock(mutex);
          ++chosen[id];
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(chosen,
              (std::map<std::string, int>{
                  {"a", 3}, {"b", 3}, {"c", 3}, {"d", 3}, {"<error auth_unavailable>", 188}}))
        << strategy;
  }
}

TEST(PoolInFlightConcurrency, RecordsRacingPicksFreeOnePlaceEach) {
  auto policy = Compile("routes:\n  - name: capped\n    pool: {max_in_flight: 2}\n");
  std::atomic<int> served{0};
  std::vector<std::thread> threads;
  constexpr int kRecords = 400;
  threads.emplace_back([&] {
    for (int i = 0; i < kRecords; ++i)
      policy->ObserveUsage(UsageBuilder("a").LatencyMs(10), Mono(0));
  });
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2 * kRecords; ++i) {
        if (Chosen(policy->Pick(Request({"a"}), Mono(0))) == "a") served.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  // Every record frees at most one place (a record before any pick frees none).
  EXPECT_GE(served.load(), 2);
  EXPECT_LE(served.load(), 2 + kRecords);
  // Whatever happened, at most 2 are in flight now: at most 2 more picks succeed.
  int more = 0;
  for (int i = 0; i < 5; ++i) more += Chosen(policy->Pick(Request({"a"}), Mono(0))) == "a";
  EXPECT_LE(more, 2);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

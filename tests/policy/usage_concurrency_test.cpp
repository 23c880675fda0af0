// Usage records racing picks and reconfigures, through SchedulerPlugin (its own policy
// swap and usage dispatch). Run under ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr int kRecordsPerThread = 3'000;

// Both routes keep their state across these configurations (same names, same window and
// latency settings); only the limit changes.
std::string Config(int64_t limit) {
  return "routes:\n"
         "  - name: quick\n    when: {headers: {X-Route: quick}}\n    strategy: fastest\n"
         "  - name: spread\n    strategy: least-used\n"
         "    usage: {measure: requests, window: 1h, limit: " +
         std::to_string(limit) + "}\n";
}

LifecycleRequest Lifecycle(const std::string& yaml) {
  LifecycleRequest r;
  r.config_yaml = yaml;
  return r;
}

TEST(UsageConcurrency, RecordsRacingPicksAndReconfiguresAreCountedExactlyOnce) {
  SchedulerPlugin plugin;
  ASSERT_TRUE(plugin.Register(Lifecycle(Config(0))).ok());
  const std::set<std::string> pool = {"b", "c", "d"};
  std::atomic<bool> stop{false};
  std::atomic<int> bad_picks{0};

  // Two threads send records of account a (never in the picks' pool) and of the pool.
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRecordsPerThread; ++i) {
        UsageBuilder a("a", i % 600);
        a.LatencyMs(100 + i % 50);
        plugin.HandleUsage(a);
        UsageBuilder other(i % 2 ? "b" : "c", i % 600);
        other.LatencyMs(200 + t);
        plugin.HandleUsage(other);
      }
    });
  }
  // Two threads pick on both routes.
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      Request least({"b", "c", "d"});
      Request quick({"b", "c", "d"});
      quick.Header("X-Route", "quick");
      while (!stop.load()) {
        for (const Request* r : {&least, &quick}) {
          Result<PickResult> result = plugin.Pick(*r);
          if (!result.ok() || pool.count(result.value().auth_id) == 0) ++bad_picks;
        }
        (void)t;
      }
    });
  }
  // One thread reconfigures with limits that never exclude anything.
  std::thread reconfigurer([&] {
    for (int i = 0; !stop.load(); ++i) {
      plugin.Reconfigure(Lifecycle(Config(i % 2 ? 0 : 1'000'000)));
    }
  });
  for (int t = 0; t < 2; ++t) threads[t].join();
  stop = true;
  for (size_t t = 2; t < threads.size(); ++t) threads[t].join();
  reconfigurer.join();
  EXPECT_EQ(bad_picks.load(), 0);

  // Every record of a was counted once: with a limit of exactly that many requests, a is
  // out of budget; with one more, it takes exactly one pick.
  const int64_t sent = 2 * kRecordsPerThread;
  ASSERT_TRUE(plugin.Reconfigure(Lifecycle(Config(sent))).ok());
  EXPECT_FALSE(plugin.Pick(Request({"a"})).ok());
  ASSERT_TRUE(plugin.Reconfigure(Lifecycle(Config(sent + 1))).ok());
  Result<PickResult> one = plugin.Pick(Request({"a"}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value().auth_id, "a");
  EXPECT_FALSE(plugin.Pick(Request({"a"})).ok());
}

// Picks in flight (InFlight) counted by many threads and ended by records from many
// threads: every pick is ended by exactly one record.
TEST(UsageConcurrency, PicksAndRecordsFromManyThreadsPairUp) {
  auto policy =
      Compile("routes:\n  - name: quick\n    strategy: fastest\n    latency: {explore: 0}\n");
  constexpr int kThreads = 4;
  constexpr int kPicks = 2'000;
  policy->ObserveUsage(UsageBuilder("a").LatencyMs(100), Mono(0));
  policy->ObserveUsage(UsageBuilder("b").LatencyMs(100), Mono(0));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPicks; ++i) {
        if (Chosen(policy->Pick(Request({"a"}), Mono(1))) != "a") ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  threads.clear();
  // kThreads * kPicks picks of a in flight: b, with none, wins.
  EXPECT_EQ(Chosen(policy->Pick(Request({"a", "b"}), Mono(1))), "b");
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPicks; ++i) {
        policy->ObserveUsage(UsageBuilder("a").LatencyMs(100), Mono(1));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // Every pick of a ended; b still has the one above in flight: a wins.
  EXPECT_EQ(Chosen(policy->Pick(Request({"a", "b"}), Mono(1))), "a");
}

// The metadata watch reports once however many threads pick at once.
TEST(UsageConcurrency, TheMetadataWatchReportsOnceAcrossThreads) {
  auto policy = Compile("routes:\n  - name: t\n    when: {metadata: {caller_scope: \"x*\"}}\n");
  std::atomic<int> reports{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Request r({"a"});
      r.Metadata("request_path", "/v1/chat/completions");
      for (int i = 0; i < 50; ++i) {
        if (policy->WatchMetadata(r).has_value()) ++reports;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(reports.load(), 1);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// headroom under usage records racing picks on several threads: every answer is an account
// of the pool or the route's error, and once the racing stops the state is what the last
// records said. Run under ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/hash.hpp"
#include "base/rfc3339.hpp"
#include "policy_test_util.hpp"
#include "scheduler/quota/quota_state.hpp"
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

// A state store's thread (snapshot, fleet exchange) racing records, picks and reads of the
// quota state: every reading stays in range, and the fleet's facts and picks in flight
// arrive.
TEST(HeadroomConcurrency, StoreThreadRacingRecordsAndPicks) {
  QuotaState quota("plans");
  const std::vector<std::string> ids = {"a", "b", "c", "d"};
  const int64_t t0 = *ParseRfc3339(At(0));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < 2000; ++i) {
      const std::string& id = ids[i % ids.size()];
      quota.Observe(Claude(id, i % 600, (i % 100) / 100.0, 3600), Mono(i * 0.001));
      if (i % 50 == 0) {
        quota.Observe(UsageBuilder(id, i % 600).Failed(429).Header("retry-after", "5"),
                      Mono(i * 0.001));
      }
    }
  });
  threads.emplace_back([&] {
    for (int i = 0; i < 2000; ++i) {
      const uint64_t hash = Hash64(ids[i % ids.size()]);
      (void)quota.Picked(hash, Mono(i * 0.001));
      const QuotaState::Reading r = quota.Read(hash, quota.Now(Mono(i * 0.001)), Mono(i * 0.001));
      if (r.utilization < 0 || r.utilization > 1 || r.in_flight < 0) bad.fetch_add(1);
    }
  });
  threads.emplace_back([&] {
    std::vector<QuotaRow> own;
    std::vector<std::pair<uint64_t, int64_t>> flight;
    for (int i = 0; !stop.load() || i < 50; ++i) {
      const StoreTime t{Mono(i * 0.01), t0 + int64_t{i} * 10'000'000};
      QuotaRow row;
      row.account = Hash64(ids[(i + 1) % ids.size()]);
      row.kind = "7d";
      row.observed_ns = t0 + int64_t{i} * 1'000'000'000;
      row.utilization = 0.5;
      row.reset_ns = t0 + int64_t{7200} * 1'000'000'000;
      if (quota.ApplyFleet({row}, t) != 0) bad.fetch_add(1);
      quota.TakeOwn(&own, t);
      quota.OwnInFlight(&flight, t.now);
      quota.SetFleetInFlight({{row.account, i % 3}});
      if (quota.Save(t).empty()) bad.fetch_add(1);
    }
  });
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  EXPECT_EQ(bad.load(), 0);
  quota.SetFleetInFlight({{Hash64("a"), 7}});
  EXPECT_GE(quota.Read(Hash64("a"), quota.Now(Mono(3)), Mono(3)).in_flight, 7);
  QuotaState restored("plans");
  EXPECT_TRUE(restored.Restore(quota.Save(StoreTime{Mono(3), t0}), StoreTime{Mono(3), t0}));
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

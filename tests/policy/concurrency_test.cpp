// Threads picking through round-robin, weighted and sticky routes while another thread
// reconfigures the plugin with configurations that keep the route names. Run under
// ThreadSanitizer (label `concurrency`). The route state is shared by the old and the new
// policies, so the rotation and the weighted sequence stay exact across the swaps.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

constexpr int kThreads = 4;
constexpr int kPicksPerThread = 2'500;

std::string Config(int variant) {
  // Both variants decide the same way; they differ so that every reconfigure compiles a
  // genuinely new policy.
  return std::string("routes:\n") +
         "  - name: rr\n    when: {headers: {X-Route: rr}}\n    strategy: round-robin\n" +
         "  - name: w\n    when: {headers: {X-Route: w}}\n    strategy: weighted\n" +
         "    weights: {a: 3, b: 1, c: 0}\n" +
         "  - name: s\n    when: {headers: {X-Route: s}}\n    strategy: sticky\n" +
         "    session: {ttl: 1h, max_sessions: " + (variant % 2 ? "5000" : "6000") + "}\n" +
         (variant % 2 ? "  - name: spare\n    strategy: pass\n" : "");
}

class Reconfigurer {
 public:
  explicit Reconfigurer(SchedulerPlugin* plugin)
      : thread_([this, plugin] {
          for (int i = 1; !stop_.load() && i < 100'000; ++i) {
            LifecycleRequest config;
            config.config_yaml = Config(i);
            if (!plugin->Reconfigure(config).ok()) failures_.fetch_add(1);
            reconfigures_.fetch_add(1);
            std::this_thread::yield();
          }
        }) {}
  ~Reconfigurer() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int reconfigures() const { return reconfigures_.load(); }
  int failures() const { return failures_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> reconfigures_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

std::unique_ptr<SchedulerPlugin> NewPlugin() {
  auto plugin = std::make_unique<SchedulerPlugin>();
  LifecycleRequest config;
  config.config_yaml = Config(0);
  EXPECT_TRUE(plugin->Register(config).ok());
  return plugin;
}

// Runs `kThreads` threads of `kPicksPerThread` picks of `request` while reconfiguring,
// and counts the accounts chosen.
std::map<std::string, int> RaceAndCount(const PickRequest& request) {
  auto plugin = NewPlugin();
  std::vector<std::map<std::string, int>> counts(kThreads);
  {
    Reconfigurer reconfigurer(plugin.get());
    std::vector<std::thread> pickers;
    for (int t = 0; t < kThreads; ++t) {
      pickers.emplace_back([&, t] {
        for (int i = 0; i < kPicksPerThread; ++i) {
          Result<PickResult> r = plugin->Pick(request);
          ++counts[t][r.ok() ? r.value().auth_id : "<error>"];
        }
      });
    }
    for (std::thread& p : pickers) p.join();
    reconfigurer.Stop();
    EXPECT_GT(reconfigurer.reconfigures(), 0);
    EXPECT_EQ(reconfigurer.failures(), 0);
  }
  std::map<std::string, int> total;
  for (const auto& c : counts) {
    for (const auto& [id, n] : c) total[id] += n;
  }
  return total;
}

TEST(ConcurrencyTest, RoundRobinStaysExactAcrossThreadsAndReconfigures) {
  Request request({"a", "b", "c", "d"});
  request.Header("X-Route", "rr");
  const std::map<std::string, int> total = RaceAndCount(request);
  // 10,000 picks, each one step of a single rotation over four accounts.
  EXPECT_EQ(total,
            (std::map<std::string, int>{{"a", 2500}, {"b", 2500}, {"c", 2500}, {"d", 2500}}));
}

TEST(ConcurrencyTest, WeightedStaysExactAcrossThreadsAndReconfigures) {
  Request request({"a", "b", "c"});
  request.Header("X-Route", "w");
  const std::map<std::string, int> total = RaceAndCount(request);
  EXPECT_EQ(total, (std::map<std::string, int>{{"a", 7500}, {"b", 2500}}));
}

TEST(ConcurrencyTest, StickySessionsAgreeAcrossThreadsAndReconfigures) {
  auto plugin = NewPlugin();
  const std::vector<std::string> ids = Ids("acct-", 9);
  constexpr int kKeys = 300;
  std::vector<std::vector<std::string>> seen(kThreads, std::vector<std::string>(kKeys));
  {
    Reconfigurer reconfigurer(plugin.get());
    std::vector<std::thread> pickers;
    for (int t = 0; t < kThreads; ++t) {
      pickers.emplace_back([&, t] {
        Request request(ids);
        request.Header("X-Route", "s").Header("X-Session-Id", "");
        std::string& key = request.mutable_request().options.headers.entries[1].second[0];
        for (int i = 0; i < kPicksPerThread; ++i) {
          // Threads walk the keys in different orders, so first bindings race.
          const int k = (i * (t + 1) * 7) % kKeys;
          key = "session-" + std::to_string(k);
          Result<PickResult> r = plugin->Pick(request);
          ASSERT_TRUE(r.ok());
          if (seen[t][k].empty()) seen[t][k] = r.value().auth_id;
          ASSERT_EQ(r.value().auth_id, seen[t][k]) << "session " << k << " moved";
        }
      });
    }
    for (std::thread& p : pickers) p.join();
  }
  for (int k = 0; k < kKeys; ++k) {
    for (int t = 1; t < kThreads; ++t) {
      if (!seen[0][k].empty() && !seen[t][k].empty()) {
        EXPECT_EQ(seen[t][k], seen[0][k]) << "session " << k;
      }
    }
  }
}

TEST(ConcurrencyTest, MixedRoutesRaceWithoutErrors) {
  auto plugin = NewPlugin();
  std::atomic<int> errors{0};
  {
    Reconfigurer reconfigurer(plugin.get());
    std::vector<std::thread> pickers;
    for (int t = 0; t < kThreads; ++t) {
      pickers.emplace_back([&, t] {
        const char* routes[] = {"rr", "w", "s"};
        Request request({"a", "b", "c"});
        request.Header("X-Route", routes[t % 3]).Header("X-Session-Id", "");
        std::string& key = request.mutable_request().options.headers.entries[1].second[0];
        for (int i = 0; i < kPicksPerThread; ++i) {
          key = std::to_string(i % 50);
          Result<PickResult> r = plugin->Pick(request);
          if (!r.ok() || !r.value().handled) errors.fetch_add(1);
        }
      });
    }
    for (std::thread& p : pickers) p.join();
  }
  EXPECT_EQ(errors.load(), 0);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

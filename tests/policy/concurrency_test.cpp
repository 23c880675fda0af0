// Threads picking through round-robin, weighted and sticky routes while another thread
// reconfigures with configurations that keep the route names. Run under ThreadSanitizer
// (label `concurrency`). The route state is shared by the old and the new policies, so
// the rotation and the weighted sequence stay exact across the swaps.
//
// Most tests swap policies with a mutex-guarded pointer of their own (PolicyHolder), so
// that they check the policy engine alone; the last one goes through SchedulerPlugin's
// own atomic swap.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
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
         "    session: {ttl: 1h, return_home: true, max_sessions: " +
         (variant % 2 ? "5000" : "6000") + "}\n" +
         (variant % 2 ? "  - name: spare\n    strategy: pass\n" : "");
}

// Compiles each new configuration from the current policy and swaps it in, as the plugin
// does, behind a mutex.
class PolicyHolder {
 public:
  PolicyHolder() { Reconfigure(Config(0)); }
  std::shared_ptr<const Policy> Load() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return policy_;
  }
  bool Reconfigure(const std::string& yaml) {
    try {
      std::shared_ptr<const Policy> next = Policy::Compile(ParseConfig(yaml), Load().get());
      std::lock_guard<std::mutex> lock(mutex_);
      policy_ = std::move(next);
      return true;
    } catch (const ConfigError&) {
      return false;
    }
  }
  // The auth ID chosen, or "<error>".
  std::string Pick(const PickRequest& request) const {
    Decision d = Load()->Pick(request);
    return d.kind == Decision::Kind::kAuth ? d.auth_id : "<error>";
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Policy> policy_;
};

template <class Target>
class Reconfigurer {
 public:
  explicit Reconfigurer(Target* target)
      : thread_([this, target] {
          for (int i = 1; !stop_.load() && i < 100'000; ++i) {
            if (!Reconfigure(target, Config(i))) failures_.fetch_add(1);
            reconfigures_.fetch_add(1);
            std::this_thread::yield();
          }
        }) {}
  ~Reconfigurer() { Stop(); }
  // Returns once the first reconfigure is done, so that the picks started after it race
  // the following ones even on a loaded machine where the pickers could finish first.
  void WaitForFirstReconfigure() const {
    while (reconfigures_.load() == 0) std::this_thread::yield();
  }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int reconfigures() const { return reconfigures_.load(); }
  int failures() const { return failures_.load(); }

 private:
  static bool Reconfigure(PolicyHolder* holder, const std::string& yaml) {
    return holder->Reconfigure(yaml);
  }
  static bool Reconfigure(SchedulerPlugin* plugin, const std::string& yaml) {
    LifecycleRequest config;
    config.config_yaml = yaml;
    return plugin->Reconfigure(config).ok();
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> reconfigures_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

// Runs `kThreads` threads of `kPicksPerThread` picks of `request` while reconfiguring,
// and counts the accounts chosen.
std::map<std::string, int> RaceAndCount(const PickRequest& request) {
  PolicyHolder holder;
  std::vector<std::map<std::string, int>> counts(kThreads);
  {
    Reconfigurer<PolicyHolder> reconfigurer(&holder);
    reconfigurer.WaitForFirstReconfigure();
    std::vector<std::thread> pickers;
    for (int t = 0; t < kThreads; ++t) {
      pickers.emplace_back([&, t] {
        for (int i = 0; i < kPicksPerThread; ++i) ++counts[t][holder.Pick(request)];
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
  PolicyHolder holder;
  const std::vector<std::string> ids = Ids("acct-", 9);
  constexpr int kKeys = 300;
  std::vector<std::vector<std::string>> seen(kThreads, std::vector<std::string>(kKeys));
  {
    Reconfigurer<PolicyHolder> reconfigurer(&holder);
    reconfigurer.WaitForFirstReconfigure();
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
          const std::string chosen = holder.Pick(request);
          ASSERT_NE(chosen, "<error>");
          if (seen[t][k].empty()) seen[t][k] = chosen;
          ASSERT_EQ(chosen, seen[t][k]) << "session " << k << " moved";
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

TEST(ConcurrencyTest, PluginPicksRaceReconfigures) {
  SchedulerPlugin plugin;
  LifecycleRequest initial;
  initial.config_yaml = Config(0);
  ASSERT_TRUE(plugin.Register(initial).ok());
  std::atomic<int> errors{0};
  {
    Reconfigurer<SchedulerPlugin> reconfigurer(&plugin);
    reconfigurer.WaitForFirstReconfigure();
    std::vector<std::thread> pickers;
    for (int t = 0; t < kThreads; ++t) {
      pickers.emplace_back([&, t] {
        const char* routes[] = {"rr", "w", "s"};
        Request request({"a", "b", "c"});
        request.Header("X-Route", routes[t % 3]).Header("X-Session-Id", "");
        std::string& key = request.mutable_request().options.headers.entries[1].second[0];
        for (int i = 0; i < kPicksPerThread; ++i) {
          key = std::to_string(i % 50);
          Result<PickResult> r = plugin.Pick(request);
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

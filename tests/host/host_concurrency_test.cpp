// Threads picking through the host while other threads reconfigure, unload and reload.
// Labelled `concurrency`: the ThreadSanitizer build runs these.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

using testing::CopyPlugin;
using testing::MakeCandidate;
using testing::MakeRequest;
using testing::Script;
using testing::TempDir;

constexpr int kPickers = 4;
constexpr int kPicksPerThread = 400;

PickRequest Request() {
  return MakeRequest({MakeCandidate("a"), MakeCandidate("b"), MakeCandidate("c")});
}

// Runs `pickers` threads of `per_thread` picks each while `admin` runs on another thread
// until the picks are done; returns every outcome.
template <class Admin>
std::vector<PickOutcome> PickWhile(PluginHost& host, Admin admin) {
  std::atomic<bool> done{false};
  std::thread admin_thread([&] {
    for (int round = 0; !done.load(); ++round) admin(round);
  });
  std::mutex mu;
  std::vector<PickOutcome> outcomes;
  std::vector<std::thread> pickers;
  for (int t = 0; t < kPickers; ++t) {
    pickers.emplace_back([&] {
      std::vector<PickOutcome> mine;
      for (int i = 0; i < kPicksPerThread; ++i) mine.push_back(host.Pick(Request()));
      std::lock_guard<std::mutex> lock(mu);
      outcomes.insert(outcomes.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : pickers) t.join();
  done = true;
  admin_thread.join();
  return outcomes;
}

TEST(HostConcurrencyTest, PicksRaceReconfiguresOfTheCFixture) {
  TempDir dir;
  PluginHost host;
  PluginSettings by_auth;
  by_auth.config_yaml =
      Script({{"pick_reply", R"({"ok":true,"result":{"AuthID":"c","Handled":true}})"}});
  PluginSettings by_delegate;
  by_delegate.config_yaml = Script(
      {{"pick_reply", R"({"ok":true,"result":{"DelegateBuiltin":"round-robin","Handled":true}})"}});
  ASSERT_TRUE(host.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so"), by_auth).ok());

  std::vector<PickOutcome> outcomes = PickWhile(host, [&](int round) {
    EXPECT_TRUE(host.Reconfigure("p", round % 2 == 0 ? by_delegate : by_auth).ok());
  });
  ASSERT_EQ(outcomes.size(), static_cast<size_t>(kPickers * kPicksPerThread));
  for (const PickOutcome& o : outcomes) {
    ASSERT_TRUE(o.ok());
    ASSERT_EQ(o.plugin_id, "p");
    if (o.decision == PickDecision::kPluginAuth) {
      ASSERT_EQ(o.auth_id, "c");
    } else {
      ASSERT_EQ(o.decision, PickDecision::kPluginDelegate) << PickDecisionName(o.decision);
      ASSERT_TRUE(o.auth_id == "a" || o.auth_id == "b" || o.auth_id == "c") << o.auth_id;
    }
  }
  EXPECT_EQ(host.Info("p")->state, PluginState::kActive);
}

TEST(HostConcurrencyTest, PicksRaceReconfiguresOfSchedulerSo) {
  PluginHost host;
  PluginSettings pin;
  pin.config_yaml = "enabled: true\npriority: 0\nauth_id: b\n";
  PluginSettings delegate;
  delegate.config_yaml = "enabled: true\npriority: 0\ndelegate: fill-first\n";
  ASSERT_TRUE(host.Load("scheduler", CLIPROXY_SCHEDULER_SO, pin).ok());

  std::vector<PickOutcome> outcomes = PickWhile(host, [&](int round) {
    EXPECT_TRUE(host.Reconfigure("scheduler", round % 2 == 0 ? delegate : pin).ok());
  });
  for (const PickOutcome& o : outcomes) {
    ASSERT_TRUE(o.ok());
    if (o.decision == PickDecision::kPluginAuth) {
      ASSERT_EQ(o.auth_id, "b");
    } else {
      ASSERT_EQ(o.decision, PickDecision::kPluginDelegate) << PickDecisionName(o.decision);
      ASSERT_EQ(o.auth_id, "a");  // fill-first
    }
  }
}

TEST(HostConcurrencyTest, PicksRaceUnloadAndReload) {
  TempDir dir;
  PluginHost host;
  std::string path = CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so");
  PluginSettings settings;
  settings.config_yaml =
      Script({{"pick_reply", R"({"ok":true,"result":{"AuthID":"b","Handled":true}})"}});
  ASSERT_TRUE(host.Load("p", path, settings).ok());

  std::vector<PickOutcome> outcomes = PickWhile(host, [&](int) {
    EXPECT_TRUE(host.Unload("p").ok());
    EXPECT_TRUE(host.Load("p", path, settings).ok());
  });
  for (const PickOutcome& o : outcomes) {
    ASSERT_TRUE(o.ok());
    if (o.decision == PickDecision::kPluginAuth) {
      ASSERT_EQ(o.auth_id, "b");
    } else {
      // Between an unload and the reload there is no scheduler; never a broken call.
      ASSERT_EQ(o.decision, PickDecision::kNoScheduler) << PickDecisionName(o.decision);
    }
  }
}

TEST(HostConcurrencyTest, PicksRaceUsageDelivery) {
  TempDir dir;
  PluginHost host;
  PluginSettings settings;
  settings.config_yaml =
      Script({{"capabilities", "scheduler usage_plugin"},
              {"pick_reply", R"({"ok":true,"result":{"AuthID":"a","Handled":true}})"}});
  ASSERT_TRUE(host.Load("p", CopyPlugin(CLIPROXY_FIXTURE_SCRIPTED, dir, "p.so"), settings).ok());
  UsageRecord record;
  record.auth_id = "a";
  std::vector<PickOutcome> outcomes =
      PickWhile(host, [&](int) { EXPECT_EQ(host.DeliverUsage(record), 1u); });
  for (const PickOutcome& o : outcomes) ASSERT_EQ(o.auth_id, "a");
}

TEST(BuiltinConcurrencyTest, RoundRobinStaysExactlyFairAcrossThreads) {
  BuiltinScheduler scheduler;
  PickRequest request = Request();
  std::mutex mu;
  std::map<std::string, int> counts;
  std::vector<std::thread> threads;
  for (int t = 0; t < kPickers; ++t) {
    threads.emplace_back([&] {
      std::map<std::string, int> mine;
      for (int i = 0; i < 300; ++i)
        ++mine[scheduler.Pick(BuiltinStrategy::kRoundRobin, request).value()];
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [id, n] : mine) counts[id] += n;
    });
  }
  for (std::thread& t : threads) t.join();
  // 4 x 300 picks over 3 candidates: each cursor step is atomic, so each gets exactly 400.
  EXPECT_EQ(counts, (std::map<std::string, int>{{"a", 400}, {"b", 400}, {"c", 400}}));
}

}  // namespace
}  // namespace cliproxy::host

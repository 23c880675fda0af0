// Picks racing reconfigures through the ABI, as CLIProxyAPI's goroutines do: every pick
// must see one whole configuration (never a mix, never a torn reply), and a bad
// reconfigure in the middle must leave the previous configuration in force.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

constexpr int kPickThreads = 8;
constexpr int kReconfigureCycles = 5;
// Picks allowed while each reconfigure runs, and again after it returns. The second batch
// starts after the new configuration is stored, so every configuration is seen by picks.
constexpr long kPicksPerBatch = 32;

TEST(AbiConcurrency, EveryPickSeesExactlyOneWholeConfiguration) {
  SchedulerSo so;
  // Each configuration and the only reply a pick over a, b, c may get under it.
  const std::vector<std::pair<std::string, std::string>> configs = {
      {"auth_id: a\n", AuthReply("a")},
      {"auth_id: b\n", AuthReply("b")},
      {"delegate: round-robin\nauth_id: a\n", DelegateReply("round-robin")},
      {"deny: true\n", DeniedReply()},
  };
  std::map<std::string, long> replies_seen;
  for (const auto& [yaml, reply] : configs) replies_seen[reply] = 0;
  ASSERT_EQ(replies_seen.size(), configs.size()) << "expected replies must differ";

  ASSERT_EQ(so.Register(LifecycleBody(configs[0].first)).rc, 0);
  const std::string pick = PickBody({"a", "b", "c"});
  std::atomic<long> budget{0};  // picks the pickers may still make
  std::atomic<long> granted{0};
  std::atomic<long> picks{0};
  std::atomic<bool> done{false};
  std::atomic<int> bad_reconfigure_replies{0};
  std::mutex mu;
  std::vector<std::string> unexpected;

  std::vector<std::thread> pickers;
  for (int t = 0; t < kPickThreads; ++t) {
    pickers.emplace_back([&] {
      std::map<std::string, long> local;
      while (!done.load()) {
        long available = budget.load();
        if (available <= 0 || !budget.compare_exchange_weak(available, available - 1)) {
          std::this_thread::yield();
          continue;
        }
        Reply r = so.Pick(pick);
        ++local[std::to_string(r.rc) + " " + r.body];
        ++picks;
      }
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [key, count] : local) {
        std::string rc = key.substr(0, key.find(' '));
        auto it = replies_seen.find(key.substr(key.find(' ') + 1));
        if (it == replies_seen.end() || rc != "0") {
          unexpected.push_back(key);
        } else {
          it->second += count;
        }
      }
    });
  }

  auto grant = [&] {
    granted += kPicksPerBatch;
    budget += kPicksPerBatch;
  };
  // Reconfigures with picks racing it, then lets picks run under the result.
  auto reconfigure_under_picks = [&](const std::string& yaml) {
    grant();
    Reply r = so.Reconfigure(LifecycleBody(yaml));
    grant();
    while (picks.load() < granted.load()) std::this_thread::yield();
    return r;
  };
  for (int cycle = 0; cycle < kReconfigureCycles; ++cycle) {
    for (const auto& [yaml, reply] : configs) {
      Reply r = reconfigure_under_picks(yaml);
      if (r.rc != 0 || !ReadEnvelope(r.body).ok) ++bad_reconfigure_replies;
      // A configuration that does not decode: answered ok (issue 10), the previous one stays.
      Reply bad = reconfigure_under_picks("auth_id: [\n");
      if (bad.rc != 0 || bad.body != r.body) ++bad_reconfigure_replies;
      // The same with fail_open: refused, the previous one stays.
      Reply refused = reconfigure_under_picks("fail_open: true\ndeny: 1\n");
      if (refused.rc != 1 || ReadEnvelope(refused.body).code != "invalid_config") {
        ++bad_reconfigure_replies;
      }
    }
  }
  done = true;
  for (std::thread& t : pickers) t.join();

  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " unexpected replies, first: "
                                  << (unexpected.empty() ? "" : unexpected[0]);
  EXPECT_EQ(bad_reconfigure_replies.load(), 0);
  long total = 0;
  for (const auto& [reply, count] : replies_seen) {
    total += count;
    EXPECT_GT(count, 0) << "no pick saw " << reply;
  }
  EXPECT_EQ(picks.load(), granted.load());
  EXPECT_EQ(total + static_cast<long>(unexpected.size()), picks.load());
  RecordProperty("picks", std::to_string(picks.load()));
}

}  // namespace
}  // namespace cliproxy::abi_test

// Threads picking on the same round-robin or weighted route at once. Each pick must stay
// one step of the route's single rotation (round-robin) or smooth weighted sequence, so
// the totals of all threads together are exact, not only at the end but at every point
// where the threads meet (a barrier between rounds of picks). Threads offer the same pool
// in different orders, some with an ID offered twice, so that they build their view of
// the rotation differently. Run under ThreadSanitizer (label `concurrency`).
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <map>
#include <random>
#include <thread>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// counts[round][account]: picks of every thread together after `round + 1` rounds.
using Totals = std::vector<std::vector<int>>;

// Runs `threads` threads of `rounds` rounds of `picks_per_round` picks each, thread t
// offering `pools[t % pools.size()]`, and returns the totals per round by index in `ids`
// (-1 counts picks of anything else).
Totals RaceInRounds(const Policy& policy, const std::vector<std::string>& ids,
                    const std::vector<Request>& pools, int threads, int rounds,
                    int picks_per_round) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < ids.size(); ++i) index[ids[i]] = static_cast<int>(i);
  // seen[t][round][account + 1]
  std::vector<Totals> seen(threads, Totals(rounds, std::vector<int>(ids.size() + 1)));
  std::barrier meet(threads);
  std::vector<std::thread> pickers;
  for (int t = 0; t < threads; ++t) {
    pickers.emplace_back([&, t] {
      const PickRequest& request = pools[t % pools.size()];
      std::vector<int> count(ids.size() + 1);
      for (int r = 0; r < rounds; ++r) {
        for (int i = 0; i < picks_per_round; ++i) {
          auto it = index.find(PickId(policy, request));
          ++count[it == index.end() ? 0 : it->second + 1];
        }
        seen[t][r] = count;
        meet.arrive_and_wait();
      }
    });
  }
  for (std::thread& p : pickers) p.join();
  Totals totals(rounds, std::vector<int>(ids.size()));
  for (int r = 0; r < rounds; ++r) {
    int others = 0;
    for (int t = 0; t < threads; ++t) {
      others += seen[t][r][0];
      for (size_t i = 0; i < ids.size(); ++i) totals[r][i] += seen[t][r][i + 1];
    }
    EXPECT_EQ(others, 0) << "round " << r << ": picks outside the pool";
  }
  return totals;
}

// The same pool offered by each thread differently: in ID order, reversed, shuffled (with
// an ID twice, when `with_duplicate`: the same pool to round-robin, not to weighted, where
// each offer adds its weight).
std::vector<Request> PoolsOf(const std::vector<std::string>& ids, const std::string& route,
                             bool with_duplicate,
                             const std::map<std::string, std::string>& weights = {}) {
  std::vector<std::vector<std::string>> orders = {ids, ids, ids};
  std::reverse(orders[1].begin(), orders[1].end());
  std::shuffle(orders[2].begin(), orders[2].end(), std::mt19937(5));
  if (with_duplicate) orders[2].push_back(orders[2].front());
  std::vector<Request> pools;
  for (const auto& order : orders) {
    Request request;
    for (const std::string& id : order) {
      auto w = weights.find(id);
      request.Add(w == weights.end() ? MakeCandidate(id)
                                     : MakeCandidate(id, {{"weight", w->second}}));
    }
    request.Header("X-Route", route);
    pools.push_back(std::move(request));
  }
  return pools;
}

TEST(RotationConcurrencyTest, RoundRobinTotalsAreExactAtEveryMeeting) {
  // Pools smaller than, equal to and larger than the few accounts a pick looks ahead.
  for (int n : {2, 3, 4, 5, 9, 300}) {
    for (int threads : {2, 4}) {
      auto policy = Compile("routes: [{name: rr, strategy: round-robin}]\n");
      std::vector<std::string> ids = Ids("acct-", n);
      std::sort(ids.begin(), ids.end());
      const int per_round = n >= 300 ? 97 : 251;  // totals rarely a multiple of n
      const int rounds = 8;
      const Totals totals =
          RaceInRounds(*policy, ids, PoolsOf(ids, "rr", true), threads, rounds, per_round);
      for (int r = 0; r < rounds; ++r) {
        // The rotation starts at the smallest ID: after `done` picks the first done % n
        // accounts in ID order have had one pick more than the others.
        const int done = (r + 1) * per_round * threads;
        for (int i = 0; i < n; ++i) {
          ASSERT_EQ(totals[r][i], done / n + (i < done % n ? 1 : 0))
              << "pool of " << n << ", " << threads << " threads, round " << r << ", " << ids[i];
        }
      }
    }
  }
}

TEST(RotationConcurrencyTest, WeightedTotalsAreExactAfterEveryPeriod) {
  // 40 accounts of weights 1 to 4: W = 100, and every round is a multiple of W picks.
  std::vector<std::string> ids = Ids("acct-", 40);
  std::map<std::string, std::string> weights;
  for (int i = 0; i < 40; ++i) weights[ids[i]] = std::to_string(1 + i % 4);
  for (int threads : {2, 4}) {
    auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
    const int rounds = 10;
    const Totals totals = RaceInRounds(*policy, ids, PoolsOf(ids, "w", false, weights), threads,
                                       rounds, 200 / threads);
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < 40; ++i) {
        ASSERT_EQ(totals[r][i], 2 * (r + 1) * (1 + i % 4))
            << threads << " threads, round " << r << ", " << ids[i];
      }
    }
  }
}

TEST(RotationConcurrencyTest, WeightedStaysExactWhileOtherAccountsComeAndAreForgotten) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  // Two threads pick from a fixed pool of 4 (W = 7); a third offers 40 of 400 other
  // accounts at a time, sliding, so that accounts keep arriving (new score slots) while
  // the fixed pool's picks drop them again once the route remembers more than
  // 4 * 4 + 256. The third thread's picks never forget anything (4 * 40 + 256 > 404).
  Request fixed;
  const std::map<std::string, int> weights = {{"b1", 3}, {"b2", 2}, {"b3", 1}, {"b4", 1}};
  for (const auto& [id, w] : weights) fixed.Add(MakeCandidate(id, {{"weight", std::to_string(w)}}));
  const std::vector<std::string> others = Ids("other-", 400);
  std::vector<std::map<std::string, int>> counts(2);
  std::atomic<int> outside{0};
  std::atomic<bool> churned{false};
  std::atomic<int> periods_done{0};
  std::atomic<int> churn_picks{0};
  std::thread churn([&] {
    for (size_t pick = 0, start = 0; pick < 2'000; ++pick, start = (start + 7) % others.size()) {
      // In step with the fixed pool (about a period per 8 picks here), whatever the
      // scheduler does, so that both overlap and the fixed pool's picks keep forgetting.
      while (periods_done.load() < static_cast<int>(pick / 8)) std::this_thread::yield();
      Request request;
      for (size_t i = 0; i < 40; ++i) request.Add(MakeCandidate(others[(start + i) % 400]));
      const std::string id = PickId(*policy, request);
      if (id.rfind("other-", 0) != 0) outside.fetch_add(1);
      churn_picks.fetch_add(1);
    }
    churned.store(true);
  });
  // Whole periods of 7 picks per thread, until the churn is over: the totals of the
  // fixed pool are then a whole number of periods.
  std::vector<std::thread> pickers;
  for (int t = 0; t < 2; ++t) {
    pickers.emplace_back([&, t] {
      while (!churned.load()) {
        if (periods_done.load() > churn_picks.load() / 8 + 4) {
          std::this_thread::yield();
          continue;
        }
        for (int i = 0; i < 7; ++i) ++counts[t][PickId(*policy, fixed)];
        periods_done.fetch_add(1);
      }
    });
  }
  for (std::thread& p : pickers) p.join();
  churn.join();
  EXPECT_EQ(outside.load(), 0);
  std::map<std::string, int> total;
  for (const auto& c : counts) {
    for (const auto& [id, n] : c) total[id] += n;
  }
  const int periods = (total["b1"] + total["b2"] + total["b3"] + total["b4"]) / 7;
  EXPECT_GE(periods, 249);
  EXPECT_EQ(total,
            (std::map<std::string, int>{
                {"b1", 3 * periods}, {"b2", 2 * periods}, {"b3", periods}, {"b4", periods}}));
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

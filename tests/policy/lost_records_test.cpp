// Usage-driven strategies when most usage records never arrive. CLIProxyAPI v7.2.140
// delivered 1-15 of 200 records of plain (non-streaming) requests (testdata/README.md,
// real/): least-used and fastest must stay balanced, and no account may be starved
// because its records were the ones lost.
//
// A simulated proxy: requests arrive every 2 s on a policy clock (Mono), each runs for a
// random time, and its record reaches the policy with a given probability, at the end of
// the request. Deterministic for its seed. What each account really served (every request,
// delivered or not) is the ground truth the shares are measured on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "policy_test_util.hpp"
#include "usage_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// SplitMix64: the same numbers on every platform (std:: distributions are not).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  double Uniform(double lo, double hi) {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * static_cast<double>(z >> 11) / static_cast<double>(1ull << 53);
  }

 private:
  uint64_t state_;
};

struct AccountModel {
  std::string id;
  double tokens;   // per request, +-20%
  double seconds;  // duration of a request, +-50%
  // Not offered (cooling down) from `away_from` until `away_until` seconds.
  double away_from = 0;
  double away_until = 0;
};

struct Served {
  int64_t requests = 0;
  double tokens = 0;
};

struct Simulation {
  std::vector<AccountModel> accounts;
  double delivered = 0.05;  // the share of records that arrive
  int requests = 3000;
  double gap = 2;  // seconds between requests
  uint64_t seed = 1;
  double count_from = 0;  // only picks made from this time on count in the result

  std::map<std::string, Served> Run(const Policy& policy) const {
    struct Finish {
      double at;
      int started;
      double seconds;
      std::string id;
      int64_t tokens;
      bool operator>(const Finish& o) const { return at > o.at; }
    };
    std::priority_queue<Finish, std::vector<Finish>, std::greater<>> running;
    Random random(seed);
    std::map<std::string, Served> served;
    auto deliver_until = [&](double t) {
      while (!running.empty() && running.top().at <= t) {
        const Finish f = running.top();
        running.pop();
        if (random.Uniform(0, 1) >= delivered) continue;  // this record is lost
        policy.ObserveUsage(UsageBuilder(f.id, f.started)
                                .Tokens(f.tokens)
                                .LatencyMs(static_cast<int64_t>(f.seconds * 1000)),
                            Mono(f.at));
      }
    };
    for (int i = 0; i < requests; ++i) {
      const double t = i * gap;
      deliver_until(t);
      std::vector<std::string> ids;
      for (const AccountModel& a : accounts) {
        if (t < a.away_from || t >= a.away_until) ids.push_back(a.id);
      }
      const std::string id = Chosen(policy.Pick(Request(ids), Mono(t)));
      auto model = std::find_if(accounts.begin(), accounts.end(),
                                [&](const AccountModel& a) { return a.id == id; });
      if (model == accounts.end()) {
        ADD_FAILURE() << "pick " << i << " chose " << id;
        return served;
      }
      const double seconds = model->seconds * random.Uniform(0.5, 1.5);
      const int64_t tokens = static_cast<int64_t>(model->tokens * random.Uniform(0.8, 1.2));
      running.push({t + seconds, static_cast<int>(t), seconds, id, tokens});
      if (t < count_from) continue;
      served[id].requests += 1;
      served[id].tokens += static_cast<double>(tokens);
    }
    return served;
  }
};

double Share(const std::map<std::string, Served>& served, const std::string& id, bool tokens) {
  double all = 0;
  for (const auto& [_, s] : served) all += tokens ? s.tokens : static_cast<double>(s.requests);
  const Served& s = served.at(id);
  return (tokens ? s.tokens : static_cast<double>(s.requests)) / all;
}

// Every share within +-15% (relative) of an even split, and every account served.
void ExpectEven(const std::map<std::string, Served>& served, bool tokens) {
  ASSERT_EQ(served.size(), 3u) << "an account was never picked";
  for (const auto& [id, s] : served) {
    const double share = Share(served, id, tokens);
    EXPECT_GE(share, 0.85 / 3) << id << " " << (tokens ? "tokens" : "requests");
    EXPECT_LE(share, 1.15 / 3) << id << " " << (tokens ? "tokens" : "requests");
    ::testing::Test::RecordProperty(id + (tokens ? "_token_share" : "_request_share"),
                                    std::to_string(share));
  }
}

const std::vector<AccountModel> kCosts = {{"a", 1000, 20}, {"b", 2000, 20}, {"c", 4000, 20}};

TEST(LostRecords, LeastUsedByTokensSpendsAlikeWhen95PercentAreLost) {
  auto policy = Compile("routes:\n  - name: spread\n    strategy: least-used\n");
  Simulation sim{kCosts};
  ExpectEven(sim.Run(*policy), /*tokens=*/true);
}

TEST(LostRecords, LeastUsedByTokensSpendsAlikeWhenEveryRecordArrives) {
  auto policy = Compile("routes:\n  - name: spread\n    strategy: least-used\n");
  Simulation sim{kCosts};
  sim.delivered = 1;
  ExpectEven(sim.Run(*policy), /*tokens=*/true);
}

TEST(LostRecords, LeastUsedByRequestsSpreadsEvenlyWhen95PercentAreLost) {
  auto policy = Compile(
      "routes:\n  - name: spread\n    strategy: least-used\n    usage: {measure: requests}\n");
  Simulation sim{kCosts};
  ExpectEven(sim.Run(*policy), /*tokens=*/false);
}

TEST(LostRecords, FastestSpreadsEquallyFastAccountsWhen95PercentAreLost) {
  auto policy = Compile("routes:\n  - name: quick\n    strategy: fastest\n");
  Simulation sim{kCosts};
  ExpectEven(sim.Run(*policy), /*tokens=*/false);
}

TEST(LostRecords, FastestFavoursTheFastButStarvesNoneWhen95PercentAreLost) {
  auto policy = Compile("routes:\n  - name: quick\n    strategy: fastest\n");
  Simulation sim{{{"fast", 1000, 5}, {"mid", 1000, 10}, {"slow", 1000, 20}}};
  std::map<std::string, Served> served = sim.Run(*policy);
  ASSERT_EQ(served.size(), 3u);
  const double fast = Share(served, "fast", false);
  const double mid = Share(served, "mid", false);
  const double slow = Share(served, "slow", false);
  // Measured (seed 1): 0.73/0.21/0.07 of the picks, against 0.77/0.17/0.06 when every
  // record arrives: the loss barely moves them.
  EXPECT_GT(fast, mid);
  EXPECT_GT(mid, slow);
  EXPECT_GE(slow, 0.04);  // not starved: exploration alone gives it about 1 pick in 20
  RecordProperty("shares",
                 std::to_string(fast) + " " + std::to_string(mid) + " " + std::to_string(slow));
}

// Three hours of traffic, then c cools down for 20 minutes, then an hour more. A pick whose
// record was lost must stop counting: if the picks of a and b counted for as long as picks
// kept coming (never, before issue 10, while c's count reset in its absence), c would take
// every pick for hours when it returned and a and b would starve.
Simulation AfterACooldown(std::vector<AccountModel> accounts) {
  Simulation sim{std::move(accounts)};
  for (AccountModel& a : sim.accounts) {
    if (a.id == "c") {
      a.away_from = 3 * 3600;
      a.away_until = 3 * 3600 + 20 * 60;
    }
  }
  sim.requests = static_cast<int>((4 * 3600 + 20 * 60) / sim.gap);
  sim.count_from = 3 * 3600 + 20 * 60;
  return sim;
}

// In the hour after c returns, c catches up what the window holds, and a and b keep
// being served. Measured (seed 1): least-used 0.34/0.33/0.33 of the tokens, fastest
// 0.34/0.35/0.31 of the picks; with picks that counted until their record arrived (before
// issue 10, measured on the code of 2026-12-05) c took 0.61 of the tokens (a, b 0.20, 0.19)
// and 0.44 of the picks (b 0.24).
void ExpectNoneStarvedAfterACooldown(const std::map<std::string, Served>& served, bool tokens) {
  ASSERT_EQ(served.size(), 3u);
  for (const char* id : {"a", "b", "c"}) {
    const double share = Share(served, id, tokens);
    ::testing::Test::RecordProperty(std::string(id) + "_share_after_cooldown",
                                    std::to_string(share));
    EXPECT_GE(share, 0.27) << id;
    EXPECT_LE(share, 0.42) << id;
  }
}

TEST(LostRecords, LeastUsedStarvesNoneAfterACooldownWhen95PercentAreLost) {
  auto policy = Compile("routes:\n  - name: spread\n    strategy: least-used\n");
  ExpectNoneStarvedAfterACooldown(AfterACooldown(kCosts).Run(*policy), /*tokens=*/true);
}

TEST(LostRecords, FastestStarvesNoneAfterACooldownWhen95PercentAreLost) {
  auto policy = Compile("routes:\n  - name: quick\n    strategy: fastest\n");
  ExpectNoneStarvedAfterACooldown(AfterACooldown(kCosts).Run(*policy), /*tokens=*/false);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

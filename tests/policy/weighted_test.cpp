// The `weighted` strategy: smooth weighted round-robin. Stated as properties: exact shares
// over whole periods, shares within 1% over 10,000 picks, no prefix of the sequence ever
// more than one pick away from the ideal share, and bounded waits between two picks of
// the same account.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

struct Measured {
  std::map<std::string, int> count;
  std::map<std::string, int> max_gap;  // longest run of picks between two of its own
  double max_lag = 0;                  // max over t and accounts of |picks - t*share|
};

// Picks `n` times with accounts weighted by `weights` (via the weights map) and measures.
Measured RunWeighted(const std::map<std::string, int>& weights, int n) {
  std::string yaml = "routes:\n  - name: w\n    strategy: weighted\n    weights:\n";
  Request request;
  double total = 0;
  for (const auto& [id, w] : weights) {
    yaml += "      \"" + id + "\": " + std::to_string(w) + "\n";
    request.Add(MakeCandidate(id));
    total += w;
  }
  auto policy = Compile(yaml);
  Measured m;
  std::map<std::string, int> last;
  for (int t = 1; t <= n; ++t) {
    const std::string id = PickId(*policy, request);
    EXPECT_TRUE(weights.count(id)) << id;
    ++m.count[id];
    const int gap = last.count(id) ? t - last[id] : t;
    m.max_gap[id] = std::max(m.max_gap[id], gap);
    last[id] = t;
    for (const auto& [acct, w] : weights) {
      m.max_lag = std::max(m.max_lag, std::abs(m.count[acct] - t * (w / total)));
    }
  }
  return m;
}

TEST(WeightedTest, ThreeToOneIsSmoothNotBursty) {
  auto policy = Compile(R"(
routes:
  - name: w
    strategy: weighted
    weights: {"a": 3, "b": 1}
)");
  Request request({"a", "b"});
  std::vector<std::string> seq;
  for (int i = 0; i < 8; ++i) seq.push_back(PickId(*policy, request));
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "a", "b", "a", "a", "a", "b", "a"}));
}

TEST(WeightedTest, SharesAreWithinOnePercentOverTenThousandPicks) {
  const std::map<std::string, int> weights = {{"a", 5}, {"b", 3}, {"c", 1}, {"d", 1}};
  Measured m = RunWeighted(weights, 10'000);
  for (const auto& [id, w] : weights) {
    const double share = m.count[id] / 10'000.0;
    EXPECT_NEAR(share, w / 10.0, 0.01) << id;
  }
  // Whole periods (W = 10) are exact: 10,000 picks are 1,000 periods.
  EXPECT_EQ(m.count["a"], 5000);
  EXPECT_EQ(m.count["b"], 3000);
  EXPECT_EQ(m.count["c"], 1000);
  EXPECT_EQ(m.count["d"], 1000);
}

TEST(WeightedTest, NoPrefixIsMoreThanOnePickAwayFromTheIdealShare) {
  for (const auto& weights : std::vector<std::map<std::string, int>>{
           {{"a", 3}, {"b", 1}},
           {{"a", 7}, {"b", 3}, {"c", 2}, {"d", 1}},
           {{"a", 1}, {"b", 1}, {"c", 1}, {"d", 97}},
           {{"a", 13}, {"b", 8}, {"c", 5}, {"d", 3}, {"e", 2}, {"f", 1}, {"g", 1}}}) {
    Measured m = RunWeighted(weights, 10'000);
    EXPECT_LT(m.max_lag, 1.0) << "weights starting " << weights.begin()->first;
  }
}

TEST(WeightedTest, NoAccountWaitsMoreThanItsFairGap) {
  // With a lag below one pick, an account of weight w out of W is chosen again within
  // 2*W/w + 1 picks; for two accounts the wait is exactly the ideal ceil(W/w).
  {
    Measured m = RunWeighted({{"a", 3}, {"b", 1}}, 10'000);
    EXPECT_EQ(m.max_gap["a"], 2);
    EXPECT_EQ(m.max_gap["b"], 4);
  }
  const std::map<std::string, int> weights = {{"a", 7}, {"b", 3}, {"c", 2}, {"d", 1}};
  Measured m = RunWeighted(weights, 10'000);
  for (const auto& [id, w] : weights) {
    const double ideal = 13.0 / w;
    EXPECT_LE(m.max_gap[id], std::ceil(2 * ideal)) << id;
    EXPECT_GE(m.max_gap[id], std::ceil(ideal)) << id;  // no account is served ahead of turn
  }
  // Measured for 7:3:2:1 (W = 13): a waits at most 2 picks (ideal 1.9), b 6 (4.3), c 7
  // (6.5), d 13 (13).
  EXPECT_EQ(m.max_gap["a"], 2);
  EXPECT_EQ(m.max_gap["d"], 13);
}

TEST(WeightedTest, WeightsComeFromTheAttributeWhenNoGlobMatches) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  Request request;
  request.Add(MakeCandidate("heavy", {{"weight", "3"}}));
  request.Add(MakeCandidate("plain"));                       // missing: 1
  request.Add(MakeCandidate("junk", {{"weight", "lots"}}));  // unparsable: 1
  request.Add(MakeCandidate("off", {{"weight", "0"}}));      // 0: excluded
  std::map<std::string, int> count;
  for (int i = 0; i < 600; ++i) ++count[PickId(*policy, request)];
  EXPECT_EQ(count["heavy"], 360);
  EXPECT_EQ(count["plain"], 120);
  EXPECT_EQ(count["junk"], 120);
  EXPECT_EQ(count.count("off"), 0u);
}

TEST(WeightedTest, TheFirstMatchingGlobWinsAndACustomAttributeIsRead) {
  auto policy = Compile(R"(
routes:
  - name: w
    strategy: weighted
    weights: {"vip-*": 2, "vip-special": 10}
    weight_attribute: share
)");
  Request request;
  request.Add(MakeCandidate("vip-special"));  // first glob: 2, not 10
  request.Add(MakeCandidate("std", {{"share", "0.5"}, {"weight", "100"}}));
  std::map<std::string, int> count;
  for (int i = 0; i < 500; ++i) ++count[PickId(*policy, request)];
  EXPECT_EQ(count["vip-special"], 400);
  EXPECT_EQ(count["std"], 100);
}

TEST(WeightedTest, AllWeightsZeroIsAnEmptyPool) {
  auto policy = Compile(R"(
routes:
  - name: w
    strategy: weighted
    weights: {"*": 0}
    when_empty: pass
)");
  Decision d = policy->Pick(Request({"a", "b"}));
  EXPECT_EQ(d.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(d.rule, "routes[0] w");
}

TEST(WeightedTest, KeepsSharesWhenThePoolChangesBetweenPicks) {
  auto policy = Compile(R"(
routes:
  - name: w
    strategy: weighted
    weights: {"a": 2, "b": 1, "c": 1}
)");
  Request all({"a", "b", "c"});
  Request without_c({"a", "b"});
  std::map<std::string, int> count;
  // Every third pick c is not offered; a and b keep their 2:1 proportion throughout.
  for (int i = 0; i < 9'000; ++i) ++count[PickId(*policy, i % 3 == 2 ? without_c : all)];
  EXPECT_NEAR(static_cast<double>(count["a"]) / count["b"], 2.0, 0.02);
}

TEST(WeightedTest, RejectsNegativeWeights) {
  const std::string error = CompileError(R"(routes:
  - name: w
    strategy: weighted
    weights:
      "a": -1
)");
  EXPECT_NE(error.find("routes[0].weights.a: line 5, column 12: a weight must be a number >= 0"),
            std::string::npos)
      << error;
}

TEST(WeightedTest, TiesGoToTheLowestIdWhateverTheOrderOffered) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  // 300 accounts of equal weight offered shuffled: every score is equal at each step, so
  // the first 300 picks walk the IDs in order.
  std::vector<std::string> ids = Ids("acct-", 300);
  std::vector<std::string> offered = ids;
  std::shuffle(offered.begin(), offered.end(), std::mt19937(7));
  Request request(offered);
  std::sort(ids.begin(), ids.end());  // "acct-100" comes before "acct-11"
  for (const std::string& id : ids) ASSERT_EQ(PickId(*policy, request), id);
}

TEST(WeightedTest, AccountsThatJoinTakeTheirPlaceInIdOrderForTies) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  Request two({"d", "b"});
  EXPECT_EQ(PickId(*policy, two), "b");
  EXPECT_EQ(PickId(*policy, two), "d");  // both scores are back to 0
  // a, c and e join between and around them: a tie of five, broken in ID order.
  Request five({"e", "d", "c", "b", "a"});
  std::vector<std::string> seq;
  for (int i = 0; i < 5; ++i) seq.push_back(PickId(*policy, five));
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(WeightedTest, ScoresSurviveAShortAbsenceAndAreDroppedAfterALongOne) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  Request ab({"a", "b"});
  // After a is chosen its score is below b's: back from an absence, b is next.
  ASSERT_EQ(PickId(*policy, ab), "a");
  for (int i = 0; i < 200; ++i) PickId(*policy, Request({"other-" + std::to_string(i)}));
  EXPECT_EQ(PickId(*policy, ab), "b");
  EXPECT_EQ(PickId(*policy, ab), "a");
  // 300 more accounts seen while a and b are away: the table outgrows four times the
  // pool plus 256, so their scores are dropped and they start again even, a first.
  ASSERT_EQ(PickId(*policy, ab), "b");
  for (int i = 0; i < 300; ++i) PickId(*policy, Request({"later-" + std::to_string(i)}));
  EXPECT_EQ(PickId(*policy, ab), "a");
  EXPECT_EQ(PickId(*policy, ab), "b");
}

// Smooth weighted round-robin as the header states it, on a map by ID.
class SmoothWeightModel {
 public:
  std::string Pick(const std::vector<std::pair<std::string, int>>& pool) {
    std::vector<std::pair<std::string, int>> entries;
    int64_t total = 0;
    for (const auto& [id, w] : pool) {
      if (w <= 0) continue;
      entries.emplace_back(id, w);
      total += w;
    }
    if (entries.empty()) return "<error auth_unavailable>";
    if (score_.size() > 4 * entries.size() + 256) {
      std::map<std::string, int64_t> kept;
      for (const auto& [id, w] : entries) {
        if (auto it = score_.find(id); it != score_.end()) kept.insert(*it);
      }
      score_.swap(kept);
    }
    const std::string* best = nullptr;
    for (const auto& [id, w] : entries) {
      const int64_t s = score_[id] += w;
      if (best == nullptr || s > score_[*best] || (s == score_[*best] && id < *best)) {
        best = &id;
      }
    }
    score_[*best] -= total;
    return *best;
  }

 private:
  std::map<std::string, int64_t> score_;
};

TEST(WeightedTest, FollowsTheAlgorithmOverChangingPoolsWeightsAndForgetting) {
  auto policy = Compile("routes: [{name: w, strategy: weighted}]\n");
  SmoothWeightModel model;
  std::mt19937 random(99);
  const std::vector<std::string> ids = Ids("acct-", 400);
  std::map<std::string, int> weight;
  for (const std::string& id : ids) weight[id] = static_cast<int>(random() % 4);  // 0 excludes
  for (int pick = 0; pick < 4000; ++pick) {
    // Mostly small pools from many accounts, so that scores are forgotten now and then;
    // weights change now and then too.
    if (random() % 50 == 0) weight[ids[random() % ids.size()]] = static_cast<int>(random() % 4);
    std::vector<std::string> chosen;
    const size_t size = 1 + random() % (random() % 8 == 0 ? 120 : 6);
    std::sample(ids.begin(), ids.end(), std::back_inserter(chosen), size, random);
    std::shuffle(chosen.begin(), chosen.end(), random);
    Request request;
    std::vector<std::pair<std::string, int>> pool;
    for (const std::string& id : chosen) {
      request.Add(MakeCandidate(id, {{"weight", std::to_string(weight[id])}}));
      pool.emplace_back(id, weight[id]);
    }
    const std::string expected = model.Pick(pool);
    ASSERT_EQ(PickId(*policy, request), expected) << "pick " << pick;
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

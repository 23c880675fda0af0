// WeightedStrategy (`weighted`): smooth weighted round-robin, the algorithm of nginx's
// upstream module.
//
// Every account has a running score, starting at 0. On each pick, every account of the
// pool adds its weight to its score; the account with the highest score is chosen (ties:
// the lowest ID) and the sum of the pool's weights is subtracted from its score. Over any
// W consecutive picks with a fixed pool (W = sum of weights in weight units) each account
// is chosen exactly in proportion to its weight, and the choices are spread evenly
// instead of in bursts: with weights 3:1 the sequence is a a b a | a a b a ..., never
// a a a b. At every point of the sequence each account's number of picks is less than one
// pick away from its ideal share t * w / W, so its longest wait between two picks is
// below 2 * W / w + 1; with two accounts it is exactly ceil(W / w). Measured for weights
// 7:3:2:1: waits of 2, 6, 7 and 13 picks against ideal gaps of 1.9, 4.3, 6.5 and 13
// (tests/policy/weighted_test.cpp).
//
// Weights come from Weights (a `weights` glob map, else the `weight_attribute` attribute,
// else 1; 0 excludes the account). When all accounts of the pool are excluded the
// strategy has no choice and the route applies `when_empty`.
//
// Accounts that leave the pool keep their score, so a short absence does not reset their
// place; scores of accounts absent for long are dropped when the table grows past four
// times the pool (plus 256).
//
// Concurrency: the scores are updated by every pick together, which needs one small mutex
// per route. Weights and ID hashes are computed before taking it; inside, the pick is one
// pass of integer additions over the pool (one hash-map lookup per account). No allocation
// per pick once every account has a score. The scores belong to the route (role
// "weighted") and survive reconfigures that keep its name.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_HPP_

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"
#include "scheduler/weights.hpp"

namespace cliproxy::scheduler {

// The running scores, by account ID hash, shared across Policies.
class SmoothWeightScores : public StrategyState {
 public:
  std::mutex mutex;
  std::unordered_map<uint64_t, int64_t> score;
};

class WeightedStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  WeightedStrategy(Weights weights, std::shared_ptr<SmoothWeightScores> scores)
      : weights_(std::move(weights)), scores_(std::move(scores)) {}

  Outcome Pick(const PickContext& context) const override;
  void AddFields(json::PickFields* fields) const override { weights_.AddFields(fields); }

 private:
  Weights weights_;
  std::shared_ptr<SmoothWeightScores> scores_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_HPP_

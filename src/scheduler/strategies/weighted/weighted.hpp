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
// per route; the work done under it is kept to a pass over an array. Every account ID hash
// the route remembers owns a dense score slot. Before taking the mutex a pick computes
// weights and ID hashes and looks its accounts' slots up in a table read without locks
// (written only under the mutex); under the mutex it adds the weights to the slots' scores
// and compares integers, checking on the way that each slot still belongs to that hash
// (slots change hands when absent accounts are forgotten). Ties are broken by a rank in
// ID order kept per slot, so no ID is compared under the mutex either. A pick that offers
// an account for the first time, or read a slot that changed hands, undoes its pass, finds
// every slot under the mutex and ranks the new accounts: O(pool + accounts remembered) for
// that pick. No allocation per pick once every account has a slot. The scores belong to
// the route (role "weighted") and survive reconfigures that keep its name.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_WEIGHTED_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_WEIGHTED_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"
#include "scheduler/strategies/common/weights.hpp"

namespace cliproxy::scheduler {

// The running scores of one route, one dense slot per account ID hash, shared across
// Policies. Thread-safety: FindSlots() and Choose() may be called concurrently.
class SmoothWeightScores : public StrategyState {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;

  // One account of a pick.
  struct Entry {
    const Candidate* candidate;
    uint64_t hash;  // Hash64 of the ID
    int64_t weight;
    uint32_t slot;  // set by FindSlots(), a hint that Choose() checks
  };

  SmoothWeightScores();
  ~SmoothWeightScores() override;
  SmoothWeightScores(const SmoothWeightScores&) = delete;
  SmoothWeightScores& operator=(const SmoothWeightScores&) = delete;

  // Without the lock: each entry's slot as last seen, or kNoSlot.
  void FindSlots(std::span<Entry> entries) const;

  // One step of smooth weighted round-robin over `entries` (weights > 0, summing to
  // `total`), under the lock: the account chosen. Checks every slot before using it.
  // `dry_run`: the account that would be chosen, with every score left as it was.
  const Candidate* Choose(std::span<Entry> entries, int64_t total, bool dry_run = false);

  // Score slots allocated (live or free).
  size_t Records() const override;

 private:
  // Hash -> slot, open addressing; written under `mutex_`, read by anyone.
  struct HintTable;
  struct Account {
    int64_t score;
    uint64_t hash;
    uint32_t rank;  // place in ID order among the live accounts
    bool live;
  };

  // The rest is under `mutex_`.
  // Whether the entry's slot is the live slot of its hash.
  bool Holds(const Entry& e) const {
    return e.slot < accounts_.size() && accounts_[e.slot].live && accounts_[e.slot].hash == e.hash;
  }
  // Adds the weights and returns the best entry; when a slot does not hold, undoes what
  // it added and returns null.
  const Entry* Score(std::span<const Entry> entries);
  void Resolve(std::span<Entry> entries);       // every slot, exact, adding new accounts
  uint32_t Lookup(uint64_t hash) const;         // the slot of `hash`, or kNoSlot
  uint32_t Add(const Entry& entry);             // a new slot
  void Publish(uint64_t hash, uint32_t slot);   // into the hint table, growing it
  void Rank(std::vector<uint32_t>* added);      // merges new slots into `order_`
  void Forget(std::span<const Entry> entries);  // drops accounts not in `entries`

  std::atomic<HintTable*> hints_;
  mutable std::mutex mutex_;
  // Guarded by `mutex_`.
  std::vector<std::unique_ptr<HintTable>> tables_;  // every table, current last: a pick may
                                                    // still read one replaced by growth
  size_t hinted_ = 0;                               // entries in the current table
  std::vector<Account> accounts_;                   // by slot
  std::vector<std::string> ids_;                    // by slot, for ranking
  std::vector<uint32_t> free_;                      // slots of dropped accounts
  std::vector<uint32_t> order_;                     // live slots in ID order
  size_t live_ = 0;
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

// The registry's row of `weighted`.
const StrategyInfo& WeightedStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_WEIGHTED_HPP_

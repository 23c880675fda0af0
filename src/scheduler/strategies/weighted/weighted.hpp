// WeightedStrategy (`weighted`): smooth weighted round-robin (nginx's upstream algorithm).
// Over any W consecutive picks with a fixed pool (W = sum of weights) each account is chosen
// exactly in proportion to its Weights weight, spread evenly; weight 0 excludes an account,
// and a pool of only excluded accounts is "no choice". The scores (SmoothWeightScores, role
// "weighted") belong to the route and survive reconfigures that keep its name.
//
// Thread-safety: one small mutex per route, held for a pass over an array; no allocation
// per pick once every account has a slot. Algorithm: docs/strategies.md#weighted.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_WEIGHTED_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_WEIGHTED_WEIGHTED_HPP_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "scheduler/strategies/common/weights.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

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

#include "scheduler/strategies/weighted.hpp"

#include <vector>

#include "scheduler/hash.hpp"

namespace cliproxy::scheduler {
namespace {

struct Entry {
  const Candidate* candidate;
  uint64_t hash;
  int64_t weight;
};

}  // namespace

std::unique_ptr<Strategy> WeightedStrategy::Create(const StrategyBuild& build) {
  auto scores = build.state.Obtain<SmoothWeightScores>("weighted");
  return std::make_unique<WeightedStrategy>(Weights::Compile(build.route), std::move(scores));
}

Outcome WeightedStrategy::Pick(const PickContext& context) const {
  // Reused per thread so that a pick does not allocate.
  thread_local std::vector<Entry> entries;
  entries.clear();
  int64_t total = 0;
  for (const Candidate* c : context.pool) {
    const int64_t w = weights_.Of(*c);
    if (w <= 0) continue;
    entries.push_back({c, Hash64(c->id), w});
    total += w;
  }
  if (entries.empty()) return Outcome::NoChoice();

  std::lock_guard<std::mutex> lock(scores_->mutex);
  auto& score = scores_->score;
  if (score.size() > 4 * entries.size() + 256) {
    // Forget accounts that have been away long enough for the table to grow this much.
    std::unordered_map<uint64_t, int64_t> kept;
    for (const Entry& e : entries) {
      if (auto it = score.find(e.hash); it != score.end()) kept.emplace(*it);
    }
    score.swap(kept);
  }
  const Entry* best = nullptr;
  int64_t* best_score = nullptr;
  for (const Entry& e : entries) {
    int64_t& s = score[e.hash];
    s += e.weight;
    if (best == nullptr || s > *best_score ||
        (s == *best_score && e.candidate->id < best->candidate->id)) {
      best = &e;
      best_score = &s;
    }
  }
  *best_score -= total;
  return Outcome::Auth(best->candidate);
}

}  // namespace cliproxy::scheduler

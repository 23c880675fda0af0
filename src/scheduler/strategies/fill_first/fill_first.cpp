#include "scheduler/strategies/fill_first/fill_first.hpp"

namespace cliproxy::scheduler {

std::unique_ptr<Strategy> FillFirstStrategy::Create(const StrategyBuild& /*build*/) {
  return std::make_unique<FillFirstStrategy>();
}

const StrategyInfo& FillFirstStrategyInfo() {
  static constexpr StrategyInfo kInfo{.name = "fill-first", .create = &FillFirstStrategy::Create};
  return kInfo;
}

Outcome FillFirstStrategy::Pick(const PickContext& context) const {
  const Candidate* best = context.pool.front();
  for (const Candidate* c : context.pool) {
    if (c->id < best->id) best = c;
  }
  return Outcome::Auth(best);
}

}  // namespace cliproxy::scheduler

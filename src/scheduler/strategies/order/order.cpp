#include "scheduler/strategies/order/order.hpp"

#include "scheduler/config_check.hpp"
#include "scheduler/strategies/order/order_config.hpp"

namespace cliproxy::scheduler {

std::unique_ptr<Strategy> OrderStrategy::Create(const StrategyBuild& build) {
  const RouteConfig& route = build.route;
  const std::vector<std::string>& order = route.Key<OrderConfig>(kOrderKey.name).globs;
  if (order.empty()) {
    FailAt(route, route.Has("order") ? "order" : "strategy",
           "strategy `order` needs a non-empty `order` list of account ID globs");
  }
  return std::make_unique<OrderStrategy>(CompileGlobs(route, "order", order).globs());
}

const StrategyInfo& OrderStrategyInfo() {
  static constexpr const StrategyKey* kKeys[] = {&kOrderKey};
  static constexpr StrategyInfo kInfo{
      .name = "order", .keys = kKeys, .create = &OrderStrategy::Create};
  return kInfo;
}

size_t OrderStrategy::Rank(const Candidate& candidate) const {
  for (size_t i = 0; i < preference_.size(); ++i) {
    if (preference_[i].Matches(candidate.id)) return i;
  }
  return preference_.size();
}

Outcome OrderStrategy::Pick(const PickContext& context) const {
  const Candidate* best = nullptr;
  size_t best_rank = 0;
  for (const Candidate* c : context.pool) {
    const size_t rank = Rank(*c);
    if (best == nullptr || rank < best_rank || (rank == best_rank && c->id < best->id)) {
      best = c;
      best_rank = rank;
    }
  }
  return Outcome::Auth(best);
}

}  // namespace cliproxy::scheduler

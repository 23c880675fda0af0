// HeadroomStrategy (`headroom`): spends the accounts' quota windows as the upstreams
// report them (QuotaState, fed by usage records' rate-limit headers and refusals). An
// account is left out while it is refused (429/529 with retry-after, a rejected window)
// or while one of its current windows is at `quota.max_utilization` or above; accounts
// nothing is known about yet are tried (one pick in flight at a time first); among the
// others `quota.prefer` decides: `soonest-reset` (the most quota left per second until
// the soonest reset first, so that capacity about to expire is used) or `most-headroom`.
// When every account is out, the route applies `when_empty`. The state (role
// "headroom") is kept across reconfigures that keep the route's name.
//
// Thread-safety: a pick reads every pool account's quota without locks and locks the
// chosen account's entry to count its pick in flight. Algorithm:
// docs/strategies.md#headroom.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_HPP_

#include <memory>

#include "scheduler/quota/quota_state.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

inline constexpr double kDefaultMaxUtilization = 0.95;

class HeadroomStrategy : public Strategy {
 public:
  enum class Prefer { kSoonestReset, kMostHeadroom };

  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);

  Outcome Pick(const PickContext& context) const override;

 private:
  HeadroomStrategy() = default;

  double max_utilization_ = kDefaultMaxUtilization;
  Prefer prefer_ = Prefer::kSoonestReset;
  std::shared_ptr<QuotaState> quota_;
};

// The registry's row of `headroom`.
const StrategyInfo& HeadroomStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_HEADROOM_HEADROOM_HPP_

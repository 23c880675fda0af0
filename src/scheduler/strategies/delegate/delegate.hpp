// DelegateStrategy (`delegate`): hands the pick to one of the host's built-in strategies,
// `delegate: fill-first` or `delegate: round-robin` (default round-robin), which then
// chooses over the host's candidates, not the route's pool (an empty pool still applies
// `when_empty`).
//
// Thread-safety: stateless. See docs/strategies.md#delegate.
#ifndef CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_HPP_

#include <memory>
#include <string_view>

#include "scheduler/host_builtin.hpp"
#include "scheduler/strategy.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {

inline constexpr std::string_view kDefaultDelegate = kHostRoundRobin;

class DelegateStrategy : public Strategy {
 public:
  static std::unique_ptr<Strategy> Create(const StrategyBuild& build);
  explicit DelegateStrategy(std::string_view builtin) : builtin_(builtin) {}

  Outcome Pick(const PickContext&) const override { return Outcome::Delegate(builtin_); }

 private:
  std::string_view builtin_;  // a literal: "fill-first" or "round-robin"
};

// The registry's row of `delegate`.
const StrategyInfo& DelegateStrategyInfo();

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STRATEGIES_DELEGATE_DELEGATE_HPP_

#include "scheduler/strategy_registry.hpp"

#include <array>

#include "scheduler/config_check.hpp"
#include "scheduler/strategies/delegate.hpp"
#include "scheduler/strategies/deny.hpp"
#include "scheduler/strategies/fastest.hpp"
#include "scheduler/strategies/fill_first.hpp"
#include "scheduler/strategies/least_used.hpp"
#include "scheduler/strategies/order.hpp"
#include "scheduler/strategies/pass.hpp"
#include "scheduler/strategies/round_robin.hpp"
#include "scheduler/strategies/sticky.hpp"
#include "scheduler/strategies/weighted.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr std::array<StrategyInfo, 10> kStrategies = {{
    {"order", &OrderStrategy::Create, true},
    {"fill-first", &FillFirstStrategy::Create, true},
    {"round-robin", &RoundRobinStrategy::Create, true},
    {"weighted", &WeightedStrategy::Create, true},
    {"sticky", &StickyStrategy::Create, false},
    {"least-used", &LeastUsedStrategy::Create, true},
    {"fastest", &FastestStrategy::Create, true},
    {"delegate", &DelegateStrategy::Create, true},
    {"deny", &DenyStrategy::Create, true},
    {"pass", &PassStrategy::Create, true},
}};

}  // namespace

const StrategyInfo* FindStrategy(std::string_view name) {
  for (const StrategyInfo& info : kStrategies) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string StrategyNames() {
  std::string names;
  for (const StrategyInfo& info : kStrategies) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

std::unique_ptr<Strategy> BuildStrategy(const StrategyBuild& build, const std::string& key,
                                        std::string_view name, bool as_fallback) {
  const StrategyInfo* info = FindStrategy(name);
  if (info == nullptr) {
    FailAt(build.route, key,
           "unknown strategy \"" + std::string(name) + "\" (known: " + StrategyNames() + ")");
  }
  if (as_fallback && !info->fallback_allowed) {
    FailAt(build.route, key, "strategy \"" + std::string(name) + "\" cannot be a fallback");
  }
  return info->factory(build);
}

}  // namespace cliproxy::scheduler

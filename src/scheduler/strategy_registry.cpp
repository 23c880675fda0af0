#include "scheduler/strategy_registry.hpp"

#include <array>

#include "scheduler/config_check.hpp"
#include "scheduler/strategies/delegate/delegate.hpp"
#include "scheduler/strategies/deny/deny.hpp"
#include "scheduler/strategies/fastest/fastest.hpp"
#include "scheduler/strategies/fill_first/fill_first.hpp"
#include "scheduler/strategies/headroom/headroom.hpp"
#include "scheduler/strategies/least_used/least_used.hpp"
#include "scheduler/strategies/order/order.hpp"
#include "scheduler/strategies/pass/pass.hpp"
#include "scheduler/strategies/round_robin/round_robin.hpp"
#include "scheduler/strategies/sticky/sticky.hpp"
#include "scheduler/strategies/weighted/weighted.hpp"

namespace cliproxy::scheduler {
namespace {

// One line per strategy; the order is the order of names and keys in messages.
const std::array<const StrategyInfo*, 11>& Strategies() {
  // clang-format off
  static const std::array<const StrategyInfo*, 11> strategies = {
      &OrderStrategyInfo(),
      &FillFirstStrategyInfo(),
      &RoundRobinStrategyInfo(),
      &WeightedStrategyInfo(),
      &StickyStrategyInfo(),
      &LeastUsedStrategyInfo(),
      &FastestStrategyInfo(),
      &HeadroomStrategyInfo(),
      &DelegateStrategyInfo(),
      &DenyStrategyInfo(),
      &PassStrategyInfo(),
  };
  // clang-format on
  return strategies;
}

// "a, b, c": the names of `rows` (StrategyInfo or StrategyKey pointers).
template <class Rows>
std::string JoinNames(const Rows& rows, std::string_view separator) {
  std::string names;
  for (const auto* row : rows) {
    if (!names.empty()) names += separator;
    names += row->name;
  }
  return names;
}

}  // namespace

const std::vector<const StrategyKey*>& StrategyKeys() {
  static const std::vector<const StrategyKey*> keys = [] {
    std::vector<const StrategyKey*> out;
    for (const StrategyInfo* info : Strategies()) {
      for (const StrategyKey* key : info->keys) {
        bool seen = false;
        for (const StrategyKey* k : out) seen = seen || k->name == key->name;
        if (!seen) out.push_back(key);
      }
    }
    return out;
  }();
  return keys;
}

const StrategyInfo* FindStrategy(std::string_view name) {
  for (const StrategyInfo* info : Strategies()) {
    if (info->name == name) return info;
  }
  return nullptr;
}

std::string StrategyNames() { return JoinNames(Strategies(), ", "); }

const StrategyKey* FindStrategyKey(std::string_view name) {
  for (const StrategyKey* key : StrategyKeys()) {
    if (key->name == name) return key;
  }
  return nullptr;
}

std::string StrategyKeyNames() { return JoinNames(StrategyKeys(), ", "); }

bool Reads(const StrategyInfo& info, std::string_view key) {
  for (const StrategyKey* k : info.keys) {
    if (k->name == key) return true;
  }
  return false;
}

std::string StrategiesReading(std::string_view key) {
  std::string names;
  for (const StrategyInfo* info : Strategies()) {
    if (!Reads(*info, key)) continue;
    if (!names.empty()) names += " or ";
    names += "`" + std::string(info->name) + "`";
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
  return info->create(build);
}

}  // namespace cliproxy::scheduler

// BuiltinScheduler: fill-first and round-robin over the candidates of one pick.
#include <algorithm>
#include <vector>

#include "cliproxy/host/builtin_scheduler.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::host {
namespace {

constexpr std::string_view kFillFirst = "fill-first";
constexpr std::string_view kRoundRobin = "round-robin";

bool Usable(const Candidate& candidate) { return !EqualsAsciiFold(candidate.status, "disabled"); }

// The usable candidates of the highest priority tier that has one, in ID order.
std::vector<const Candidate*> TopTier(const Slice<Candidate>& candidates, int64_t* priority) {
  std::vector<const Candidate*> tier;
  for (const Candidate& candidate : candidates) {
    if (!Usable(candidate)) continue;
    if (!tier.empty() && candidate.priority < *priority) continue;
    if (tier.empty() || candidate.priority > *priority) {
      tier.clear();
      *priority = candidate.priority;
    }
    tier.push_back(&candidate);
  }
  std::sort(tier.begin(), tier.end(),
            [](const Candidate* a, const Candidate* b) { return a->id < b->id; });
  return tier;
}

// The key of a round-robin cursor: route (provider, or the mixed route's providers),
// model and priority tier.
std::string CursorKey(const PickRequest& request, int64_t priority) {
  std::string key = request.provider;
  if (key.empty()) {
    for (size_t i = 0; i < request.providers.size(); ++i) {
      if (i > 0) key += ',';
      key += request.providers[i];
    }
  }
  key += ':';
  key += request.model;
  key += '#';
  key += std::to_string(priority);
  return key;
}

}  // namespace

std::optional<BuiltinStrategy> ParseBuiltinStrategy(std::string_view name) {
  if (name == kFillFirst) return BuiltinStrategy::kFillFirst;
  if (name == kRoundRobin) return BuiltinStrategy::kRoundRobin;
  return std::nullopt;
}

std::string_view BuiltinStrategyName(BuiltinStrategy strategy) {
  return strategy == BuiltinStrategy::kFillFirst ? kFillFirst : kRoundRobin;
}

std::optional<std::string> BuiltinScheduler::Pick(BuiltinStrategy strategy,
                                                  const PickRequest& request) {
  int64_t priority = 0;
  std::vector<const Candidate*> tier = TopTier(request.candidates, &priority);
  if (tier.empty()) return std::nullopt;
  if (strategy == BuiltinStrategy::kFillFirst) return tier.front()->id;

  std::string key = CursorKey(request, priority);
  size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t& cursor = cursors_[key];
    index = static_cast<size_t>(cursor % tier.size());
    cursor = index + 1;
  }
  return tier[index]->id;
}

void BuiltinScheduler::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  cursors_.clear();
}

}  // namespace cliproxy::host

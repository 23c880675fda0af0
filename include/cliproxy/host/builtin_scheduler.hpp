// cliproxy/host/builtin_scheduler.hpp -- the host's built-in auth selection: fill-first,
// round-robin.
//
// What CLIProxyAPI does when no plugin decides (WIRE.md §4, "Built-in strategies"), over
// the candidates of one pick:
//   - A candidate is usable unless its Status is "disabled" (ASCII case-insensitive); the
//     host offering the candidates has already left out cooling-down and tried auths.
//   - Usable candidates are grouped by Priority; only the highest group is considered.
//     Inside it, candidates are ordered by ID, ascending byte order (Go string order).
//   - fill-first takes the first candidate of that order. No state.
//   - round-robin keeps a cursor per (route, model, priority tier), where the route is the
//     request's Provider, or its Providers joined with "," for a mixed route. A pick takes
//     the candidate at `cursor % n` and sets the cursor to that index + 1, so successive
//     picks walk the tier in ID order even when the list changes size in between.
// The order of Providers inside a mixed route plays no part (CLIProxyAPI's fill-first walks
// them in order; here the ID order decides, as WIRE.md states).
//
// Thread-safety: Pick() and Reset() may be called concurrently; the cursors are guarded
// by one mutex, held only to read and advance one cursor.
#ifndef CLIPROXY_HOST_BUILTIN_SCHEDULER_HPP_
#define CLIPROXY_HOST_BUILTIN_SCHEDULER_HPP_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cliproxy/types.hpp"

namespace cliproxy::host {

enum class BuiltinStrategy { kFillFirst, kRoundRobin };

// "fill-first" or "round-robin", exactly (the names a plugin's DelegateBuiltin may carry).
std::optional<BuiltinStrategy> ParseBuiltinStrategy(std::string_view name);
std::string_view BuiltinStrategyName(BuiltinStrategy strategy);

class BuiltinScheduler {
 public:
  // The ID of the chosen candidate, or nullopt when no candidate is usable.
  std::optional<std::string> Pick(BuiltinStrategy strategy, const PickRequest& request);

  // Forgets every round-robin cursor.
  void Reset();

 private:
  std::mutex mu_;
  std::unordered_map<std::string, uint64_t> cursors_;  // guarded by mu_
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_BUILTIN_SCHEDULER_HPP_

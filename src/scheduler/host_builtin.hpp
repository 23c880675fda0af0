// The host's built-in strategies: the only names a delegate may carry to the host (WIRE.md),
// for the top-level `delegate` key and for the `delegate` strategy.
//
// Thread-safety: constants.
#ifndef CLIPROXY_SRC_SCHEDULER_HOST_BUILTIN_HPP_
#define CLIPROXY_SRC_SCHEDULER_HOST_BUILTIN_HPP_

#include <string_view>

namespace cliproxy::scheduler {

inline constexpr std::string_view kHostFillFirst = "fill-first";
inline constexpr std::string_view kHostRoundRobin = "round-robin";

// `name` as one of the host's built-ins (static storage), or empty when it is none. Exact:
// the host compares names exactly.
inline std::string_view HostBuiltin(std::string_view name) {
  if (name == kHostFillFirst) return kHostFillFirst;
  if (name == kHostRoundRobin) return kHostRoundRobin;
  return {};
}

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_HOST_BUILTIN_HPP_

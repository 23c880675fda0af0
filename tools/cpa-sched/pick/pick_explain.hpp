// The answer to the extension method `scheduler.explain` (scheduler.so answers it; see
// src/scheduler/scheduler_plugin.hpp): which rule or route decided a pick.
//
// `cpa-sched pick` sends the pick's body as `scheduler.explain` before the pick itself.
// A plugin that does not know the method answers `unknown_method`; then there is nothing
// to explain and the report shows only the pick's raw reply.
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_PICK_EXPLAIN_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_PICK_EXPLAIN_HPP_

#include <optional>
#include <string>

#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/types.hpp"

namespace cpa_sched {

inline constexpr const char* kExplainMethod = "scheduler.explain";

// The wire explanation (cliproxy::Explanation), or, when `failure` is set, why the
// plugin's answer could not be read as one.
struct Explanation : cliproxy::Explanation {
  std::string failure;  // the plugin knows the method but its answer is unusable: why
};

// nullopt when the plugin does not explain (an `unknown_method` error, or no reply);
// otherwise the explanation, or one whose `failure` says what was wrong with the reply.
std::optional<Explanation> ReadExplanation(const cliproxy::host::CallReply& reply);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_PICK_EXPLAIN_HPP_

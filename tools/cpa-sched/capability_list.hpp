// The capabilities of a registration as one report field, shared by pick, check and
// simulate: the flags that are set, by wire key in encoding order, then the executor
// settings that are set, all comma-separated; "none" when nothing is set. For example
//   scheduler,scheduler_across_priorities
//   executor,executor_model_scope=oauth,executor_input_formats=[openai claude]
//
// Thread-safety: a pure function.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_CAPABILITY_LIST_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_CAPABILITY_LIST_HPP_

#include <string>

#include "cliproxy/types.hpp"

namespace cpa_sched {

std::string CapabilityList(const cliproxy::Capabilities& capabilities);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_CAPABILITY_LIST_HPP_

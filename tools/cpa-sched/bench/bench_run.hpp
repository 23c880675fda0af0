// The measuring loop of `cpa-sched bench`: scheduler.pick through the C ABI, as a host
// calls it (PluginLibrary::Call: the method, the body, a copy of the reply, the plugin's
// free_buffer), from T threads for S seconds.
//
// Every pick is timed on the steady clock (so the latency includes the two clock reads,
// some tens of nanoseconds); throughput is picks over the wall time of the run. Replies
// are counted, not decoded, inside the loop: a non-zero return code is a failed call, an
// `"ok":false` in the body an error envelope. Latency samples are kept (up to a cap, then
// only counted) and the quantiles are exact over the kept ones.
//
// Thread-safety: RunBench() starts and joins its own threads; `progress` is called on the
// calling thread only.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_BENCH_RUN_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_BENCH_RUN_HPP_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_library.hpp"

namespace cpa_sched {

struct BenchSettings {
  int threads = 1;
  double seconds = 2;
};

struct BenchResult {
  uint64_t picks = 0;
  double seconds = 0;  // wall time of the measured run
  uint64_t error_envelopes = 0;
  uint64_t failed_calls = 0;  // non-zero return code
  uint64_t sampled = 0;       // picks whose latency was kept
  double median_ns = 0;
  double p99_ns = 0;
  double max_ns = 0;

  double picks_per_second() const { return seconds > 0 ? picks / seconds : 0; }
};

// Sends the `bodies` in turn (each thread starting at a different one) until the time is
// up. `progress(elapsed_seconds, picks_so_far)` is called about ten times a second.
BenchResult RunBench(const cliproxy::host::PluginLibrary& plugin,
                     const std::vector<std::string>& bodies, const BenchSettings& settings,
                     const std::function<void(double, uint64_t)>& progress);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_BENCH_RUN_HPP_

#include "bench/bench_run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>

namespace cpa_sched {
namespace {

using Clock = std::chrono::steady_clock;

// Latency samples kept over all threads (4 bytes each); beyond it picks are only counted.
constexpr uint64_t kMaxSamples = 32u << 20;

struct ThreadTally {
  uint64_t picks = 0;
  uint64_t error_envelopes = 0;
  uint64_t failed_calls = 0;
  std::vector<uint32_t> samples;  // nanoseconds
};

double Quantile(std::vector<uint32_t>& samples, double q) {
  if (samples.empty()) return 0;
  size_t index = std::min(samples.size() - 1, static_cast<size_t>(q * samples.size()));
  std::nth_element(samples.begin(), samples.begin() + static_cast<ptrdiff_t>(index), samples.end());
  return samples[index];
}

}  // namespace

BenchResult RunBench(const cliproxy::host::PluginLibrary& plugin,
                     const std::vector<std::string>& bodies, const BenchSettings& settings,
                     const std::function<void(double, uint64_t)>& progress) {
  const size_t threads = static_cast<size_t>(std::max(1, settings.threads));
  const uint64_t samples_per_thread = kMaxSamples / threads;
  std::vector<ThreadTally> tallies(threads);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> picks_so_far{0};

  // Warm up the plugin (first-touch allocations, lazy state) outside the measurement.
  for (size_t i = 0; i < std::min<size_t>(200, bodies.size() * 4); ++i) {
    plugin.Call("scheduler.pick", bodies[i % bodies.size()]);
  }

  auto worker = [&](size_t t) {
    ThreadTally& tally = tallies[t];
    tally.samples.reserve(std::min<uint64_t>(samples_per_thread, 1u << 20));
    size_t next = (t * 17) % bodies.size();
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string& body = bodies[next];
      next = next + 1 == bodies.size() ? 0 : next + 1;
      Clock::time_point start = Clock::now();
      cliproxy::host::CallReply reply = plugin.Call("scheduler.pick", body);
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
      if (tally.samples.size() < samples_per_thread) {
        tally.samples.push_back(
            static_cast<uint32_t>(std::min<int64_t>(ns, std::numeric_limits<uint32_t>::max())));
      }
      ++tally.picks;
      if (reply.rc != 0) {
        ++tally.failed_calls;
      } else if (reply.body.find("\"ok\":false") != std::string::npos) {
        ++tally.error_envelopes;
      }
      if ((tally.picks & 255) == 0) picks_so_far.fetch_add(256, std::memory_order_relaxed);
    }
  };

  Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(settings.seconds));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (Clock::time_point now = Clock::now(); now < deadline; now = Clock::now()) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100)));
    if (progress) {
      progress(std::chrono::duration<double>(Clock::now() - start).count(), picks_so_far.load());
    }
  }
  stop = true;
  for (std::thread& thread : pool) thread.join();
  Clock::time_point end = Clock::now();

  BenchResult result;
  result.seconds = std::chrono::duration<double>(end - start).count();
  std::vector<uint32_t> samples;
  for (ThreadTally& tally : tallies) {
    result.picks += tally.picks;
    result.error_envelopes += tally.error_envelopes;
    result.failed_calls += tally.failed_calls;
    samples.insert(samples.end(), tally.samples.begin(), tally.samples.end());
    tally.samples = {};
  }
  result.sampled = samples.size();
  if (!samples.empty()) {
    result.max_ns = *std::max_element(samples.begin(), samples.end());
    result.median_ns = Quantile(samples, 0.5);
    result.p99_ns = Quantile(samples, 0.99);
  }
  return result;
}

}  // namespace cpa_sched

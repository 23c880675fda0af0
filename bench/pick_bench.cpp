// The cost of one scheduler.pick through the C ABI on the request bodies the real host
// sends (testdata/pick-{1,10,100,1000}.json), next to the cost of only parsing the same
// bytes with RapidJSON: the floor any JSON plugin pays. Single-threaded and 2 threads.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "plugin_under_test.hpp"

namespace cliproxy::bench {
namespace {

const std::string& Body(int64_t candidates) {
  static const std::string bodies[] = {ReadTestdata("pick-1.json"), ReadTestdata("pick-10.json"),
                                       ReadTestdata("pick-100.json"),
                                       ReadTestdata("pick-1000.json")};
  switch (candidates) {
    case 1:
      return bodies[0];
    case 10:
      return bodies[1];
    case 100:
      return bodies[2];
    default:
      return bodies[3];
  }
}

// The pinned auth is the last candidate of each body, so a pick scans them all.
std::string LastCandidateId(int64_t candidates) {
  return "codex-user" + std::to_string(candidates - 1) + "@example.com.json";
}

PluginUnderTest& Scheduler() {
  static PluginUnderTest plugin(CLIPROXY_SCHEDULER_SO);
  return plugin;
}

void BM_PickThroughAbi(benchmark::State& state) {
  const int64_t n = state.range(0);
  const std::string& body = Body(n);
  if (state.thread_index() == 0) {
    Scheduler().Configure("enabled: true\npriority: 1\nauth_id: " + LastCandidateId(n) + "\n");
  }
  const std::string expected = "\"AuthID\":\"" + LastCandidateId(n) + "\"";
  for (auto _ : state) {
    std::string reply = Scheduler().Call("scheduler.pick", body);
    benchmark::DoNotOptimize(reply.data());
    if (reply.find(expected) == std::string::npos) {
      state.SkipWithError(("unexpected reply: " + reply).c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_RapidJsonParseOnly(benchmark::State& state) {
  const std::string& body = Body(state.range(0));
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    benchmark::DoNotOptimize(doc.HasParseError());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// The same grid for both: each request body, on one and on two threads.
void PickBodyGrid(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Threads(1)->Threads(2)->UseRealTime();
}

BENCHMARK(BM_PickThroughAbi)->Apply(PickBodyGrid);
BENCHMARK(BM_RapidJsonParseOnly)->Apply(PickBodyGrid);

}  // namespace
}  // namespace cliproxy::bench

BENCHMARK_MAIN();

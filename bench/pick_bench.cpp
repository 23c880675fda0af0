// The cost of one scheduler.pick through the C ABI on the request bodies the real host
// sends (testdata/pick-{1,10,100,1000}.json, and testdata/real/pick-100.json captured from
// a running CLIProxyAPI), next to the cost of only parsing the same bytes with RapidJSON:
// the floor of a conventional JSON plugin. Single-threaded and 2 threads.
//
// CLIPROXY_BENCH_PLUGIN=<path to a .so> measures another plugin with the same bodies, side
// by side: any plugin that pins `auth_id` (the Go fixture tests/fixtures/go_plugin decodes
// the pick with encoding/json into the host's types, as the reference Go plugin does; an
// older scheduler.so gives a before/after).
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <simdjson.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "plugin_under_test.hpp"

namespace cliproxy::bench {
namespace {

// The body captured from CLIProxyAPI v7.2.140 (39.7 KB, 100 candidates): argument kReal.
constexpr int64_t kReal = -100;

const std::string& Body(int64_t candidates) {
  static const std::string bodies[] = {
      ReadTestdata("pick-1.json"), ReadTestdata("pick-10.json"), ReadTestdata("pick-100.json"),
      ReadTestdata("pick-1000.json"), ReadTestdata("real/pick-100.json")};
  switch (candidates) {
    case kReal:
      return bodies[4];
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
  if (candidates == kReal) return "openai-compatibility:mock:f9ceb3048317";
  return "codex-user" + std::to_string(candidates - 1) + "@example.com.json";
}

PluginUnderTest& Scheduler() {
  const char* other = std::getenv("CLIPROXY_BENCH_PLUGIN");
  static PluginUnderTest plugin(other != nullptr && *other != '\0' ? other : CLIPROXY_SCHEDULER_SO);
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

// simdjson's DOM parse alone (the decoder's fast path parses so, then walks the tape).
void BM_SimdjsonParseOnly(benchmark::State& state) {
  const simdjson::padded_string body(Body(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    benchmark::DoNotOptimize(parser.parse(body).get(root));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

// The same grid for all: each request body, on one and on two threads.
void PickBodyGrid(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Arg(kReal)->Threads(1)->Threads(2)->UseRealTime();
}

BENCHMARK(BM_PickThroughAbi)->Apply(PickBodyGrid);
BENCHMARK(BM_RapidJsonParseOnly)->Apply(PickBodyGrid);
BENCHMARK(BM_SimdjsonParseOnly)->Apply(PickBodyGrid);

}  // namespace
}  // namespace cliproxy::bench

BENCHMARK_MAIN();

// The cost of one pick for every strategy of the policy engine, with 10, 100 and 1000
// candidates, at two levels:
//   policy/...  Policy::Pick on a typed request built once (the engine alone);
//   abi/...     scheduler.pick through scheduler.so's C function table on the encoded
//               request (decoding, the engine, encoding the reply), as the host calls it.
// Sticky routes see a different session key on every pick, cycling through 10,000 keys
// (with `ttl: 1h` every key a run uses is bound before timing, so the timed picks measure
// returning sessions that find their binding). Round-robin, weighted and sticky also run on two
// threads sharing the route's state; their time is wall time divided by the picks of both threads.
//
// Every benchmark checks its answer before timing (the pinned account, an offered account
// of the route's pool that rotates or sticks, the delegate, the error) and reports an error
// instead of a number when it is wrong.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/yaml_reader.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "plugin_under_test.hpp"
#include "scheduler/config.hpp"
#include "scheduler/decision.hpp"
#include "scheduler/policy.hpp"
#include "strategy_bench_support.hpp"

namespace cliproxy::bench {
namespace {

using scheduler::Decision;
using scheduler::Policy;

// Long enough for a stable median at 1000 candidates, short enough for the whole suite to
// run in about a minute.
constexpr double kMinTimeSeconds = 0.05;
constexpr int64_t kCandidateCounts[] = {10, 100, 1000};

// The request for N candidates, typed and encoded as the host encodes it.
struct Workload {
  PickRequest request;
  std::string body;
  size_t session_key_offset = 0;  // where the session key's bytes are in `body`, or npos
};

const Workload& GetWorkload(int64_t n) {
  static std::mutex mutex;
  static std::map<int64_t, std::unique_ptr<Workload>> workloads;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Workload>& w = workloads[n];
  if (!w) {
    w = std::make_unique<Workload>();
    w->request = CodexPickRequest(n);
    w->body = json::EncodePickRequest(w->request);
    const std::string marker =
        "\"" + std::string(kSessionHeader) + "\":[\"" + SessionKeys().front() + "\"";
    const size_t at = w->body.find(marker);
    w->session_key_offset =
        at == std::string::npos ? at : at + marker.size() - 1 - SessionKeys().front().size();
  }
  return *w;
}

PickAnswer FromDecision(const Decision& d) {
  PickAnswer a;
  switch (d.kind) {
    case Decision::Kind::kAuth:
      a.kind = PickAnswer::Kind::kAuth;
      a.auth_id = d.auth_id;
      break;
    case Decision::Kind::kDelegate:
      a.kind = PickAnswer::Kind::kDelegate;
      a.delegate = d.delegate;
      break;
    case Decision::Kind::kError:
      a.kind = PickAnswer::Kind::kError;
      a.error_code = d.error.code;
      break;
    case Decision::Kind::kUnhandled:
      break;
  }
  return a;
}

// The answer in a scheduler.pick reply; an undecodable reply reads as an error answer.
PickAnswer FromReply(const std::string& reply) {
  PickAnswer a;
  json::Envelope envelope;
  PickResult result;
  if (!json::DecodeEnvelope(reply, &envelope) ||
      (envelope.ok && !json::DecodePickResult(envelope.result, &result))) {
    a.kind = PickAnswer::Kind::kError;
    a.error_code = "<undecodable reply: " + reply + ">";
  } else if (!envelope.ok) {
    a.kind = PickAnswer::Kind::kError;
    a.error_code = envelope.error.code;
  } else if (result.handled && !result.auth_id.empty()) {
    a.kind = PickAnswer::Kind::kAuth;
    a.auth_id = result.auth_id;
  } else if (result.handled && !result.delegate_builtin.empty()) {
    a.kind = PickAnswer::Kind::kDelegate;
    a.delegate = result.delegate_builtin;
  }
  return a;
}

// "" when a few picks answer as `c` must; `pick(key)` picks with session key `key`.
template <class PickFn>
std::string CheckAnswers(const StrategyCase& c, const PickRequest& request, PickFn pick) {
  const std::vector<std::string>& keys = SessionKeys();
  const PickAnswer first = pick(keys[0]);
  if (std::string m = Mismatch(c.expect, first, request); !m.empty()) return c.name + ": " + m;
  if (c.expect.rotates) {
    const PickAnswer second = pick(keys[0]);
    if (std::string m = Mismatch(c.expect, second, request); !m.empty()) return c.name + ": " + m;
    if (second.auth_id == first.auth_id) {
      return c.name + ": two picks in a row chose " + first.auth_id;
    }
  }
  if (c.expect.sticks) {
    pick(keys[1]);
    const PickAnswer again = pick(keys[0]);
    if (again.auth_id != first.auth_id) {
      return c.name + ": the same session moved from " + first.auth_id + " to " + again.auth_id;
    }
  }
  return "";
}

// The first session key thread `thread` of `threads` uses; each then goes on in order.
size_t FirstSessionKey(int thread, int threads) {
  return SessionKeys().size() * static_cast<size_t>(thread) / static_cast<size_t>(threads);
}

// For a route that remembers sessions, binds every session key this run of `state` will
// use and that is not bound yet, so that the timed picks measure sessions that return
// (binding all 10,000 keys up front would cost more than the runs themselves through the
// ABI at 1000 candidates). Call from thread 0 only, before the loop.
template <class PickFn>
void BindSessionKeysOfRun(const StrategyCase& c, const benchmark::State& state,
                          const std::string& level, int64_t n, PickFn pick) {
  if (!c.remembers_sessions) return;
  static std::map<std::pair<std::string, int64_t>, std::vector<bool>> bound_by_benchmark;
  const std::vector<std::string>& keys = SessionKeys();
  std::vector<bool>& bound = bound_by_benchmark[{level + c.name, n}];
  bound.resize(keys.size());
  const size_t per_thread =
      std::min(keys.size(), static_cast<size_t>(std::max<int64_t>(0, state.max_iterations)));
  for (int t = 0; t < state.threads(); ++t) {
    for (size_t i = 0, k = FirstSessionKey(t, state.threads()); i < per_thread; ++i) {
      if (!bound[k]) {
        pick(keys[k]);
        bound[k] = true;
      }
      if (++k == keys.size()) k = 0;
    }
  }
}

// --- policy level ---------------------------------------------------------------------

struct PolicyFixture {
  StrategyCase strategy_case;
  std::shared_ptr<const Policy> policy;
  std::string error;  // why the benchmark cannot run
};

const PolicyFixture& GetPolicyFixture(size_t case_index, int64_t n) {
  static std::mutex mutex;
  static std::map<std::pair<size_t, int64_t>, std::unique_ptr<PolicyFixture>> fixtures;
  const Workload& workload = GetWorkload(n);
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<PolicyFixture>& f = fixtures[{case_index, n}];
  if (f) return *f;
  f = std::make_unique<PolicyFixture>();
  f->strategy_case = StrategyCases(n).at(case_index);
  try {
    f->policy = Policy::Compile(scheduler::ParseConfig(f->strategy_case.yaml), nullptr);
  } catch (const scheduler::ConfigError& e) {
    f->error = f->strategy_case.name + ": configuration refused: " + e.what();
    return *f;
  }
  PickRequest request = workload.request;
  auto pick = [&](std::string_view key) {
    SetSessionKey(&request, key);
    return FromDecision(f->policy->Pick(request));
  };
  f->error = CheckAnswers(f->strategy_case, workload.request, pick);
  return *f;
}

void BM_PolicyPick(benchmark::State& state, size_t case_index) {
  const int64_t n = state.range(0);
  const Workload& workload = GetWorkload(n);
  const PolicyFixture& f = GetPolicyFixture(case_index, n);
  if (!f.error.empty()) state.SkipWithError(f.error.c_str());

  const bool cycle = f.strategy_case.session_keys;
  PickRequest own;  // only sticky routes change the request, each thread its own copy
  if (cycle) own = workload.request;
  if (state.thread_index() == 0 && f.error.empty()) {
    // The other threads wait at the start of the loop.
    BindSessionKeysOfRun(f.strategy_case, state, "policy", n, [&](std::string_view key) {
      SetSessionKey(&own, key);
      return f.policy->Pick(own);
    });
  }
  const PickRequest& request = cycle ? own : workload.request;
  const std::vector<std::string>& keys = SessionKeys();
  size_t k = FirstSessionKey(state.thread_index(), state.threads());
  for (auto _ : state) {
    if (cycle) {
      SetSessionKey(&own, keys[k]);
      if (++k == keys.size()) k = 0;
    }
    Decision decision = f.policy->Pick(request);
    benchmark::DoNotOptimize(decision);
  }
}

// --- ABI level ------------------------------------------------------------------------

PluginUnderTest& Scheduler() {
  static PluginUnderTest plugin(CLIPROXY_SCHEDULER_SO);
  return plugin;
}

// "" when scheduler.so accepts `yaml` (with the host's own keys around the plugin's).
std::string Configure(const std::string& yaml) {
  LifecycleRequest request;
  request.config_yaml = "enabled: true\npriority: 1\n" + yaml;
  request.schema_version = 6;
  int rc = 0;
  std::string reply =
      Scheduler().Call("plugin.register", json::EncodeLifecycleRequest(request), &rc);
  if (rc != 0 || reply.rfind("{\"ok\":true", 0) != 0) return "register refused: " + reply;
  return "";
}

void BM_AbiPick(benchmark::State& state, size_t case_index) {
  const int64_t n = state.range(0);
  const Workload& workload = GetWorkload(n);
  const StrategyCase strategy_case = StrategyCases(n).at(case_index);
  std::string body = workload.body;  // each thread its own copy: sticky writes its key there
  auto set_key = [&](std::string_view key) {
    std::memcpy(body.data() + workload.session_key_offset, key.data(), key.size());
  };

  if (state.thread_index() == 0) {
    // One plugin serves every benchmark, so each configures it; the other threads wait at
    // the start of the loop. Route state is kept across reconfigures by route name.
    std::string error = workload.session_key_offset == std::string::npos
                            ? "the encoded request has no session header"
                            : Configure(strategy_case.yaml);
    auto pick = [&](std::string_view key) {
      set_key(key);
      return FromReply(Scheduler().Call("scheduler.pick", body));
    };
    if (error.empty()) error = CheckAnswers(strategy_case, workload.request, pick);
    if (error.empty()) BindSessionKeysOfRun(strategy_case, state, "abi", n, pick);
    if (!error.empty()) state.SkipWithError(error.c_str());
  }

  const bool cycle = strategy_case.session_keys;
  const std::vector<std::string>& keys = SessionKeys();
  size_t k = FirstSessionKey(state.thread_index(), state.threads());
  for (auto _ : state) {
    if (cycle) {
      set_key(keys[k]);
      if (++k == keys.size()) k = 0;
    }
    std::string reply = Scheduler().Call("scheduler.pick", body);
    benchmark::DoNotOptimize(reply.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void RegisterAll() {
  const std::vector<StrategyCase> cases = StrategyCases(kCandidateCounts[0]);
  const std::pair<const char*, void (*)(benchmark::State&, size_t)> levels[] = {
      {"policy/", BM_PolicyPick}, {"abi/", BM_AbiPick}};
  for (const auto& [level, fn] : levels) {
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string name = level + cases[i].name;
      benchmark::internal::Benchmark* single =
          benchmark::RegisterBenchmark(name.c_str(), fn, i)->ArgName("candidates");
      for (int64_t n : kCandidateCounts) single->Arg(n);
      single->MinTime(kMinTimeSeconds);
      if (!cases[i].contended) continue;
      benchmark::internal::Benchmark* contended =
          benchmark::RegisterBenchmark(name.c_str(), fn, i)->ArgName("candidates");
      for (int64_t n : kCandidateCounts) contended->Arg(n);
      contended->MinTime(kMinTimeSeconds)->Threads(2)->UseRealTime();
    }
  }
}

}  // namespace
}  // namespace cliproxy::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  cliproxy::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

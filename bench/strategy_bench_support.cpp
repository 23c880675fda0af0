#include "strategy_bench_support.hpp"

#include <cstdio>
#include <cstring>

#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::bench {
namespace {

constexpr int kSessionKeyCount = 10'000;
constexpr const char* kCallerScope =
    "3f9a2c41d87e6b05c1a9f3e27d4b8c60e5f1a7b39d2c8e4f06a1b5c9d3e7f2a8";

std::string CodexId(int64_t i) { return "codex-user" + std::to_string(i) + "@example.com.json"; }

void AddHeader(PickRequest* request, std::string name, std::string value) {
  Slice<std::string> values;
  values.push_back(std::move(value));
  request->options.headers.entries.emplace_back(std::move(name), std::move(values));
}

std::string Route(const std::string& name, int64_t n) {
  return "routes:\n  - name: " + name + "-n" + std::to_string(n) + "\n";
}

Expectation AuthIs(std::string id) {
  Expectation e;
  e.kind = PickAnswer::Kind::kAuth;
  e.value = std::move(id);
  return e;
}

Expectation AnyAuth(bool rotates, bool sticks = false) {
  Expectation e;
  e.kind = PickAnswer::Kind::kAuth;
  e.rotates = rotates;
  e.sticks = sticks;
  return e;
}

Expectation Other(PickAnswer::Kind kind, std::string value) {
  Expectation e;
  e.kind = kind;
  e.value = std::move(value);
  return e;
}

}  // namespace

std::vector<StrategyCase> StrategyCases(int64_t n) {
  using Kind = PickAnswer::Kind;
  const std::string last = CodexId(n - 1);
  std::vector<StrategyCase> cases;
  // The reference keys alone: a linear scan for the pinned account, found last.
  cases.push_back(
      {"reference-auth-id", "auth_id: " + last + "\n", AuthIs(last), false, false, false});
  // The listed account is offered last, so every candidate is matched against the globs.
  cases.push_back({"order",
                   Route("order", n) +
                       "    strategy: order\n"
                       "    order: [\"main.json\", \"backup-*.json\", \"codex-user" +
                       std::to_string(n - 1) + "@*\"]\n",
                   AuthIs(last), false, false, false});
  cases.push_back({"fill-first", Route("fill-first", n) + "    strategy: fill-first\n",
                   AuthIs(CodexId(0)), false, false, false});
  cases.push_back({"round-robin", Route("round-robin", n) + "    strategy: round-robin\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  cases.push_back({"weighted-glob",
                   Route("weighted-glob", n) + "    strategy: weighted\n"
                                               "    weights:\n"
                                               "      \"codex-user1*\": 3\n"
                                               "      \"codex-*\": 1\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  cases.push_back({"weighted-attribute",
                   Route("weighted-attribute", n) + "    strategy: weighted\n"
                                                    "    weight_attribute: weight\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  cases.push_back({"sticky-ttl-1h",
                   Route("sticky-ttl-1h", n) + "    strategy: sticky\n"
                                               "    session: {ttl: 1h}\n",
                   AnyAuth(/*rotates=*/false, /*sticks=*/true), true, true, true});
  cases.push_back({"sticky-rendezvous",
                   Route("sticky-rendezvous", n) + "    strategy: sticky\n"
                                                   "    session: {ttl: 0}\n",
                   AnyAuth(/*rotates=*/false, /*sticks=*/true), true, true, false});
  // No usage records arrive in the benchmark: every pick reads each account's statistics
  // and counts one pick in flight, which is the work a pick does with records too.
  cases.push_back({"least-used", Route("least-used", n) + "    strategy: least-used\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  cases.push_back({"fastest",
                   Route("fastest", n) + "    strategy: fastest\n    latency: {explore: 0}\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  // No usage records either: every account is one nothing is known about yet, so a pick
  // reads each account's quota and in-flight count and counts one pick in flight.
  cases.push_back({"headroom", Route("headroom", n) + "    strategy: headroom\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  // The cost of the cap on top of round-robin (a cap no pick reaches).
  cases.push_back({"round-robin-max-in-flight",
                   Route("round-robin-max-in-flight", n) +
                       "    strategy: round-robin\n    pool: {max_in_flight: 1000000000}\n",
                   AnyAuth(/*rotates=*/true), true, false, false});
  cases.push_back({"delegate",
                   Route("delegate", n) + "    strategy: delegate\n"
                                          "    delegate: fill-first\n",
                   Other(Kind::kDelegate, "fill-first"), false, false, false});
  cases.push_back({"deny", Route("deny", n) + "    strategy: deny\n",
                   Other(Kind::kError, "scheduler_denied"), false, false, false});
  cases.push_back({"pass", Route("pass", n) + "    strategy: pass\n", Other(Kind::kUnhandled, ""),
                   false, false, false});
  // Another tenant's route first (its `when` does not match), then this tenant's pool.
  const std::string suffix = "-n" + std::to_string(n);
  Expectation tenant = AnyAuth(/*rotates=*/true);
  tenant.id_prefixes = {"codex-user1", "codex-user2"};
  cases.push_back({"tenant-pool",
                   "routes:\n"
                   "  - name: tenant-globex" +
                       suffix +
                       "\n"
                       "    when:\n"
                       "      metadata: {caller_scope: \"b71e*\"}\n"
                       "    pool:\n"
                       "      ids: [\"globex-*\"]\n"
                       "    strategy: fill-first\n"
                       "  - name: tenant-acme" +
                       suffix +
                       "\n"
                       "    when:\n"
                       "      metadata: {caller_scope: \"3f9a*\"}\n"
                       "    pool:\n"
                       "      ids: [\"codex-user1*\", \"codex-user2*\"]\n"
                       "    strategy: round-robin\n"
                       "    error: {status: 429, code: tenant_exhausted}\n",
                   tenant, false, false, false});
  return cases;
}

PickRequest CodexPickRequest(int64_t candidates) {
  PickRequest r;
  r.plugin = scheduler::SchedulerRegistration().metadata;  // what the host echoes
  r.provider = "codex";
  r.providers.push_back("codex");
  r.model = "gpt-5.5";
  AddHeader(&r, "Accept", "text/event-stream");
  AddHeader(&r, "Content-Type", "application/json");
  AddHeader(&r, "Originator", "codex_cli_rs");
  AddHeader(&r, std::string(kSessionHeader), SessionKeys().front());
  AddHeader(&r, "User-Agent", "codex_cli_rs/0.46.0 (Debian 12.0.0; x86_64) xterm-256color");
  r.options.metadata.Set("caller_scope", AnyValue::String(kCallerScope));
  for (int64_t i = 0; i < candidates; ++i) {
    Candidate c;
    c.id = CodexId(i);
    c.provider = "codex";
    c.status = "active";
    c.attributes.Set("auth_kind", "oauth");
    c.attributes.Set("email", "user" + std::to_string(i) + "@example.com");
    c.attributes.Set("plan", "plus");
    c.attributes.Set("region", "us");
    c.attributes.Set("weight", std::to_string(1 + i % 3));
    r.candidates.push_back(std::move(c));
  }
  return r;
}

const std::vector<std::string>& SessionKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    out.reserve(kSessionKeyCount);
    char buf[64];
    for (int i = 0; i < kSessionKeyCount; ++i) {
      std::snprintf(buf, sizeof buf, "0199a1f2-6c1e-7d33-9c4e-%012x", static_cast<unsigned>(i));
      out.emplace_back(buf);
    }
    return out;
  }();
  return keys;
}

void SetSessionKey(PickRequest* request, std::string_view key) {
  for (auto& [name, values] : request->options.headers.entries) {
    // Same length as the key it replaces: no allocation inside a timed loop.
    if (name == kSessionHeader) std::memcpy(values.front().data(), key.data(), key.size());
  }
}

std::string Describe(const PickAnswer& answer) {
  switch (answer.kind) {
    case PickAnswer::Kind::kAuth:
      return "auth " + answer.auth_id;
    case PickAnswer::Kind::kDelegate:
      return "delegate " + answer.delegate;
    case PickAnswer::Kind::kError:
      return "error " + answer.error_code;
    case PickAnswer::Kind::kUnhandled:
      return "unhandled";
  }
  return "?";
}

std::string Mismatch(const Expectation& expect, const PickAnswer& answer,
                     const PickRequest& request) {
  const std::string got = "got " + Describe(answer);
  if (answer.kind != expect.kind) return got + ", want another kind of answer";
  switch (answer.kind) {
    case PickAnswer::Kind::kAuth: {
      if (!expect.value.empty()) {
        return answer.auth_id == expect.value ? "" : got + ", want auth " + expect.value;
      }
      bool offered = false;
      for (const Candidate& c : request.candidates) offered = offered || c.id == answer.auth_id;
      if (!offered) return got + ", which was not offered";
      if (expect.id_prefixes.empty()) return "";
      for (const std::string& prefix : expect.id_prefixes) {
        if (answer.auth_id.rfind(prefix, 0) == 0) return "";
      }
      return got + ", which is outside the route's pool";
    }
    case PickAnswer::Kind::kDelegate:
      return answer.delegate == expect.value ? "" : got + ", want delegate " + expect.value;
    case PickAnswer::Kind::kError:
      return answer.error_code == expect.value ? "" : got + ", want error " + expect.value;
    case PickAnswer::Kind::kUnhandled:
      return "";
  }
  return got;
}

}  // namespace cliproxy::bench

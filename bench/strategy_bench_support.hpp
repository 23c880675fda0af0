// The material of strategy_bench: one configuration per strategy of the policy engine, the
// Codex-like pick request the host would send for N candidates, the session keys sticky
// routes cycle through, and the check that a benchmark's answer is the one its
// configuration must give. For benchmarks only.
//
// Thread-safety: every function is reentrant; none keeps state.
#ifndef CLIPROXY_BENCH_STRATEGY_BENCH_SUPPORT_HPP_
#define CLIPROXY_BENCH_STRATEGY_BENCH_SUPPORT_HPP_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::bench {

// What a pick answered, whichever level it came from (a Decision or a wire reply).
struct PickAnswer {
  enum class Kind { kAuth, kDelegate, kError, kUnhandled };
  Kind kind = Kind::kUnhandled;
  std::string auth_id;     // kAuth
  std::string delegate;    // kDelegate
  std::string error_code;  // kError
};

// What a configuration must answer for the benchmark request.
struct Expectation {
  PickAnswer::Kind kind = PickAnswer::Kind::kUnhandled;
  // kAuth: the exact account, or empty for "an offered account"; kDelegate: the built-in;
  // kError: the error code.
  std::string value;
  // kAuth with an empty `value`: the account's ID must start with one of these (empty:
  // any offered account).
  std::vector<std::string> id_prefixes;
  // kAuth with an empty `value`: two picks in a row choose different accounts.
  bool rotates = false;
  // kAuth: the same session key chooses the same account again.
  bool sticks = false;
};

// One benchmarked configuration of the policy engine for a given number of candidates.
struct StrategyCase {
  std::string name;  // "round-robin", "sticky-ttl-1h", ...
  std::string yaml;  // the plugin's keys (route names carry the case and N, so state is
                     // never shared between cases)
  Expectation expect;
  bool contended = false;           // also benchmarked with two threads
  bool session_keys = false;        // the request's session header cycles through SessionKeys()
  bool remembers_sessions = false;  // a binding is kept per key (sticky with a ttl)
};

// Every case, for `candidates` candidates (the names do not depend on it).
std::vector<StrategyCase> StrategyCases(int64_t candidates);

// The request CLIProxyAPI sends for a Codex model with `candidates` OAuth accounts
// (codex-user<i>@example.com.json, as testdata/pick-*.json), plus what the routes read:
// a `weight` attribute (1 to 3) on each account and the client's `caller_scope` metadata.
// Its Session_id header holds SessionKeys()[0].
PickRequest CodexPickRequest(int64_t candidates);

// The header that carries the session key in CodexPickRequest (Codex CLI's).
inline constexpr std::string_view kSessionHeader = "Session_id";

// 10,000 distinct session keys of one length (UUID-shaped), so that a key can be
// overwritten in place in a request or an encoded body.
const std::vector<std::string>& SessionKeys();

// Writes `key` (of the length of every session key) over the request's session header.
void SetSessionKey(PickRequest* request, std::string_view key);

// "" when `answer` meets `expect` for `request`, else what is wrong.
std::string Mismatch(const Expectation& expect, const PickAnswer& answer,
                     const PickRequest& request);

std::string Describe(const PickAnswer& answer);

}  // namespace cliproxy::bench

#endif  // CLIPROXY_BENCH_STRATEGY_BENCH_SUPPORT_HPP_

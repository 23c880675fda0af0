// Generated scheduler.pick requests shaped like the ones CLIProxyAPI sends for a Codex
// route (testdata/pick-*.json): provider "codex", model gpt-5.5, the headers codex_cli_rs
// sends (with a Session_id), Options.Metadata null, and candidates
// "codex-user<i>@example.com.json", priority 0, status "active", with the attributes
// auth_kind, email, plan and region, and Metadata null. Encoded with
// json::EncodePickRequest, they have Go's key order (struct fields in declaration order,
// map keys sorted), byte for byte as the Go host would encode them.
//
// `variant` varies what a real stream of requests varies: the session id (so sticky
// strategies see many sessions) and, for odd variants, Stream. The same arguments always
// give the same request.
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_BENCH_REQUEST_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_BENCH_REQUEST_HPP_

#include <cstddef>
#include <cstdint>
#include <string>

#include "cliproxy/types.hpp"

namespace cpa_sched {

// The ID of generated candidate `index`: "codex-user<index>@example.com.json".
std::string GeneratedCandidateId(size_t index);

// A candidate like testdata's, for `provider` (its ID prefix and Provider).
cliproxy::Candidate GeneratedCandidate(size_t index, const std::string& provider = "codex");

// A Codex request over `candidates` generated candidates.
cliproxy::PickRequest GeneratePickRequest(size_t candidates, uint64_t variant);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_BENCH_REQUEST_HPP_

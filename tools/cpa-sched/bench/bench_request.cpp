#include "bench/bench_request.hpp"

#include <cstdio>

namespace cpa_sched {
namespace {

cliproxy::Slice<std::string> One(std::string value) {
  cliproxy::Slice<std::string> values;
  values.push_back(std::move(value));
  return values;
}

// A UUIDv7-looking session id that differs per variant, like codex_cli_rs's.
std::string SessionId(uint64_t variant) {
  char text[40];
  std::snprintf(text, sizeof text, "0199a1f2-6c1e-7d33-9c4e-%012llx",
                static_cast<unsigned long long>(0x5b7f2e8d1a04ULL + variant * 0x9e3779b1ULL) &
                    0xffffffffffffULL);
  return text;
}

}  // namespace

std::string GeneratedCandidateId(size_t index) {
  return "codex-user" + std::to_string(index) + "@example.com.json";
}

cliproxy::Candidate GeneratedCandidate(size_t index, const std::string& provider) {
  cliproxy::Candidate c;
  std::string email = "user" + std::to_string(index) + "@example.com";
  c.id = provider + "-" + email + ".json";
  c.provider = provider;
  c.priority = 0;
  c.status = "active";
  c.attributes.Set("auth_kind", "oauth");
  c.attributes.Set("email", email);
  c.attributes.Set("plan", "plus");
  c.attributes.Set("region", "us");
  return c;
}

cliproxy::PickRequest GeneratePickRequest(size_t candidates, uint64_t variant) {
  cliproxy::PickRequest r;
  r.provider = "codex";
  r.providers.push_back("codex");
  r.model = "gpt-5.5";
  r.stream = (variant % 2) == 1;
  cliproxy::HeaderMap& h = r.options.headers;
  h.Set("Accept", One("text/event-stream"));
  h.Set("Content-Type", One("application/json"));
  h.Set("Originator", One("codex_cli_rs"));
  h.Set("Session_id", One(SessionId(variant)));
  h.Set("User-Agent", One("codex_cli_rs/0.46.0 (Debian 12.0.0; x86_64) xterm-256color"));
  for (size_t i = 0; i < candidates; ++i) r.candidates.push_back(GeneratedCandidate(i));
  if (candidates == 0) r.candidates.empty_not_null = true;
  return r;
}

}  // namespace cpa_sched

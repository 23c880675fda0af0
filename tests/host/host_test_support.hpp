// Helpers for the plugin host's tests: scripted configurations and pick requests, plus the
// shared file helpers (tests/support) under the names these tests use.
#ifndef CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_
#define CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "cliproxy/types.hpp"
#include "support/files.hpp"

namespace cliproxy::host::testing {

using test_support::CopyPlugin;
using test_support::LinesStartingWith;
using test_support::ReadLines;
using test_support::TempDir;

// A configuration for the scripted C fixture: `key: value` lines.
std::string Script(std::initializer_list<std::pair<std::string, std::string>> entries);

// A candidate with the given ID, priority and provider, status "active".
Candidate MakeCandidate(std::string id, int64_t priority = 0, std::string provider = "codex");

// A pick request for `model` on `provider` over `candidates`.
PickRequest MakeRequest(std::vector<Candidate> candidates, std::string provider = "codex",
                        std::string model = "gpt-5");

}  // namespace cliproxy::host::testing

#endif  // CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_

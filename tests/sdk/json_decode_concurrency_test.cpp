// Decodes on many threads at once: no answer depends on what another thread decodes
// meanwhile.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

std::string CandidatesBody(size_t n, const std::string& status) {
  std::string body = R"({"Candidates":[)";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += R"({"ID":"codex-user)" + std::to_string(i) + R"(@example.com.json","Status":")" +
            status + R"(","Attributes":{"plan":"plus"}})";
  }
  return body + "]}";
}

TEST(JsonDecodeConcurrency, DecodesOnManyThreadsDoNotShareState) {
  // Each thread decodes bodies of its own, small and large, and checks every answer.
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &bad] {
      for (int round = 0; round < 20; ++round) {
        const size_t n = static_cast<size_t>(1 + (t * 37 + round * 11) % 300);
        const std::string body = CandidatesBody(n, "s" + std::to_string(t));
        PickRequest r;
        if (!DecodePickRequest(body, &r, PickFields::All()).ok() || r.candidates.size() != n ||
            r.candidates[n - 1].status != "s" + std::to_string(t)) {
          ++bad[static_cast<size_t>(t)];
        }
        PickRequest wrong;
        DecodeStatus status = DecodePickRequest(
            R"({"Candidates":[{"ID":)" + std::to_string(t) + "}]}", &wrong, PickFields::All());
        if (status.message != "Candidates[0].ID: cannot unmarshal number " + std::to_string(t) +
                                  " into a value of type string") {
          ++bad[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace cliproxy::json

#include "host_test_support.hpp"

namespace cliproxy::host::testing {

std::string Script(std::initializer_list<std::pair<std::string, std::string>> entries) {
  std::string yaml;
  for (const auto& [key, value] : entries) yaml += key + ": " + value + "\n";
  return yaml;
}

Candidate MakeCandidate(std::string id, int64_t priority, std::string provider) {
  Candidate c;
  c.id = std::move(id);
  c.provider = std::move(provider);
  c.priority = priority;
  c.status = "active";
  return c;
}

PickRequest MakeRequest(std::vector<Candidate> candidates, std::string provider,
                        std::string model) {
  PickRequest request;
  request.providers.push_back(provider);
  request.provider = std::move(provider);
  request.model = std::move(model);
  for (Candidate& c : candidates) request.candidates.push_back(std::move(c));
  return request;
}

}  // namespace cliproxy::host::testing

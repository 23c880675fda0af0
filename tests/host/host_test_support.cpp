#include "host_test_support.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cliproxy::host::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cliproxy-host-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string CopyPlugin(const std::string& source, const TempDir& dir, const std::string& name) {
  std::string target = dir.File(name);
  std::filesystem::copy_file(source, target, std::filesystem::copy_options::overwrite_existing);
  return target;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> LinesStartingWith(const std::vector<std::string>& lines,
                                           const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

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

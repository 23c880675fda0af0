// Helpers for the plugin host's tests: temporary directories, private copies of fixture
// plugins (the dynamic loader keeps one instance per file, so two plugins need two files),
// scripted configurations, pick requests.
#ifndef CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_
#define CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::host::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Copies the plugin at `source` to `<dir>/<name>` and returns the new path.
std::string CopyPlugin(const std::string& source, const TempDir& dir, const std::string& name);

// The lines of a text file (none if it does not exist).
std::vector<std::string> ReadLines(const std::string& path);
// The lines of `lines` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::vector<std::string>& lines,
                                           const std::string& prefix);

// A configuration for the scripted C fixture: `key: value` lines.
std::string Script(std::initializer_list<std::pair<std::string, std::string>> entries);

// A candidate with the given ID, priority and provider, status "active".
Candidate MakeCandidate(std::string id, int64_t priority = 0, std::string provider = "codex");

// A pick request for `model` on `provider` over `candidates`.
PickRequest MakeRequest(std::vector<Candidate> candidates, std::string provider = "codex",
                        std::string model = "gpt-5");

}  // namespace cliproxy::host::testing

#endif  // CLIPROXY_TESTS_HOST_HOST_TEST_SUPPORT_HPP_

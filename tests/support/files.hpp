// Test support: temporary directories and whole-file reads and writes.
//
// Thread-safety: TempDir is not shared between threads; the functions are reentrant.
#ifndef CLIPROXY_TESTS_SUPPORT_FILES_HPP_
#define CLIPROXY_TESTS_SUPPORT_FILES_HPP_

#include <string>
#include <vector>

namespace cliproxy::test_support {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to the file `name` in this directory; returns its path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

// Copies the plugin at `source` to `<dir>/<name>` and returns the new path (the dynamic
// loader keeps one instance per file, so two instances of a plugin need two files).
std::string CopyPlugin(const std::string& source, const TempDir& dir, const std::string& name);

// The bytes of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// The lines of a text file (none if it does not exist).
std::vector<std::string> ReadLines(const std::string& path);
// The lines of `lines` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::vector<std::string>& lines,
                                           const std::string& prefix);

#ifdef CLIPROXY_TESTDATA_DIR
// A file of testdata/.
inline std::string ReadTestData(const std::string& name) {
  return ReadFile(std::string(CLIPROXY_TESTDATA_DIR) + "/" + name);
}
#endif

}  // namespace cliproxy::test_support

#endif  // CLIPROXY_TESTS_SUPPORT_FILES_HPP_

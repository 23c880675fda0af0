// Test support: a program run as a user runs it, arguments in, exit code, stdout (whole
// and as lines) and stderr out.
//
// Thread-safety: reentrant; runs with the same TempDir must not overlap (stderr goes
// through one file in it).
#ifndef CLIPROXY_TESTS_SUPPORT_PROGRAM_RUN_HPP_
#define CLIPROXY_TESTS_SUPPORT_PROGRAM_RUN_HPP_

#include <string>
#include <vector>

#include "support/files.hpp"

namespace cliproxy::test_support {

struct ProgramRun {
  int exit_code = -1;  // -1 when the program did not exit normally
  std::string out;
  std::string err;
  std::vector<std::string> lines;  // of `out`

  // The first line of `out` that starts with `prefix`, or "".
  std::string Line(const std::string& prefix) const;
  // Whether `out` has exactly this line.
  bool Has(const std::string& line) const;
};

// `s` quoted for sh.
std::string ShellQuote(const std::string& s);

// Runs `program` with `args` through sh; stderr goes through the file "stderr" in `dir`.
ProgramRun RunProgram(const std::string& program, const std::vector<std::string>& args,
                      const TempDir& dir);

}  // namespace cliproxy::test_support

#endif  // CLIPROXY_TESTS_SUPPORT_PROGRAM_RUN_HPP_

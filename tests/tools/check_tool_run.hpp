// Runs cpa-sched as a program, as a user would: arguments in, exit code, stdout (as lines)
// and stderr out. Shared by the tests of `check` and `bench`.
#ifndef CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_
#define CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host_test_support.hpp"

namespace cpa_sched::testing {

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines;  // of `out`

  // The first line of `out` that starts with `prefix`, or "".
  std::string Line(const std::string& prefix) const {
    for (const std::string& line : lines) {
      if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
  }
};

inline std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs CLIPROXY_CPA_SCHED with `args`; stderr goes through a file in `dir`.
inline ToolRun RunTool(const std::vector<std::string>& args,
                       const cliproxy::host::testing::TempDir& dir) {
  std::string command = ShellQuote(CLIPROXY_CPA_SCHED);
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  std::string err_path = dir.File("stderr");
  command += " 2>" + ShellQuote(err_path);
  ToolRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadWholeFile(err_path);
  std::stringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) run.lines.push_back(line);
  return run;
}

}  // namespace cpa_sched::testing

#endif  // CLIPROXY_TESTS_TOOLS_CHECK_TOOL_RUN_HPP_

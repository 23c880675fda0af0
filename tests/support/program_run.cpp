#include "support/program_run.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace cliproxy::test_support {

std::string ProgramRun::Line(const std::string& prefix) const {
  for (const std::string& line : lines) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

bool ProgramRun::Has(const std::string& line) const {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

ProgramRun RunProgram(const std::string& program, const std::vector<std::string>& args,
                      const TempDir& dir) {
  std::string command = ShellQuote(program);
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  std::string err_path = dir.File("stderr");
  command += " 2>" + ShellQuote(err_path);
  ProgramRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_path);
  std::stringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) run.lines.push_back(line);
  return run;
}

}  // namespace cliproxy::test_support

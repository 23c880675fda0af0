// The shape of a cpa-sched subcommand. Each command lives in its own file and adds itself
// to the application: it declares its options on a subcommand and returns what runs it
// once the command line has parsed. Exit codes are shared by every command.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_COMMAND_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_COMMAND_HPP_

#include <CLI/CLI.hpp>
#include <functional>

namespace cpa_sched {

// The command decided what it was asked (a pick chose an auth).
inline constexpr int kExitOk = 0;
// The command ran, and the answer is a failure (a pick failed with an error).
inline constexpr int kExitFailed = 1;
// The command could not run: bad usage, unreadable file, a plugin that does not load.
inline constexpr int kExitUsage = 2;

struct Command {
  CLI::App* app = nullptr;   // the subcommand
  std::function<int()> run;  // runs it; returns an exit code
};

// One function per command file.
Command AddPickCommand(CLI::App& parent);
Command AddCheckCommand(CLI::App& parent);
Command AddBenchCommand(CLI::App& parent);
Command AddSimulateCommand(CLI::App& parent);
Command AddServeCommand(CLI::App& parent);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_COMMAND_HPP_

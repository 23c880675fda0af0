// cpa-sched: the command line over libcliproxy_host. `cpa-sched <command> --help` for each.
#include <iostream>
#include <vector>

#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"cpa-sched: drive a CLIProxyAPI scheduler plugin through the plugin host"};
  app.require_subcommand(1);
  app.footer(
      "Commands work with any CLIProxyAPI native plugin (C, C++, Go, Rust); `cpa-sched "
      "<command> --help`\n"
      "explains each.\n"
      "\n"
      "Examples:\n"
      "  cpa-sched check ./scheduler.so --config scheduler.yaml\n"
      "  cpa-sched pick ./scheduler.so --config config.yaml --model gpt-5 --provider codex \\\n"
      "      --candidate codex-a.json --candidate codex-b.json:1 --header 'X-Session-Id: s1'\n"
      "  cpa-sched simulate ./scheduler.so --config scheduler.yaml --scenario pool.yaml "
      "--report report.html\n"
      "  cpa-sched bench ./scheduler.so --candidates 100 --threads 2 --seconds 5\n"
      "  cpa-sched serve ./scheduler.so --config scheduler.yaml --listen 127.0.0.1:8390\n"
      "\n"
      "Exit codes: 0 success, 1 the check, pick or run failed, 2 usage or load error.");

  std::vector<cpa_sched::Command> commands = {
      cpa_sched::AddPickCommand(app), cpa_sched::AddCheckCommand(app),
      cpa_sched::AddBenchCommand(app), cpa_sched::AddSimulateCommand(app),
      cpa_sched::AddServeCommand(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? cpa_sched::kExitOk : cpa_sched::kExitUsage;
  }
  for (const cpa_sched::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  std::cerr << app.help();
  return cpa_sched::kExitUsage;
}

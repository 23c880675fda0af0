// cpa-sched check: the conformance of any CLIProxyAPI native plugin, one probe per child
// process (check_probes.hpp), printed as a PASS/FAIL table.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "check/check_child.hpp"
#include "check/check_config.hpp"
#include "check/check_probes.hpp"
#include "command.hpp"
#include "plugin_config.hpp"

namespace cpa_sched {
namespace {

struct CheckOptions {
  std::string plugin;
  std::string config;
  double timeout_seconds = 10;
};

struct Row {
  std::string name;
  Verdict verdict = Verdict::kFail;
  std::string detail;
};

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kSkip:
      return "SKIP";
  }
  return "FAIL";
}

constexpr int kNameWidth = 20;
constexpr int kResultWidth = 8;

void PrintRow(const std::string& name, const std::string& result, const std::string& detail) {
  std::cout << std::left << std::setw(kNameWidth) << name << std::setw(kResultWidth) << result
            << detail << "\n"
            << std::flush;
}

Row RunProbe(const Probe& probe, const CheckTarget& target,
             std::map<std::string, std::string>* facts, std::chrono::milliseconds timeout) {
  Row row{probe.name, Verdict::kSkip, ""};
  for (const auto& [fact, reason] : probe.needs) {
    if ((*facts)[fact] != "1") {
      row.detail = reason;
      return row;
    }
  }
  ChildOutcome outcome =
      RunInChild([&](ProbeChannel& channel) { probe.run(target, channel); }, timeout);
  for (const auto& [key, value] : outcome.facts) (*facts)[key] = value;
  if (outcome.end == ChildOutcome::End::kVerdict) {
    row.verdict = outcome.verdict;
    row.detail = outcome.detail;
    return row;
  }
  row.verdict = Verdict::kFail;
  row.detail = outcome.detail;
  if (!outcome.last_step.empty()) row.detail += " during " + outcome.last_step;
  return row;
}

int RunCheck(const CheckOptions& options) {
  auto fail = [](const std::string& message) {
    std::cerr << "cpa-sched check: " << message << "\n";
    return kExitUsage;
  };
  if (auto s = CheckPluginFile(options.plugin); !s) return fail(s.message());
  PluginConfig config;
  std::string id = PluginIdFromPath(options.plugin);
  if (auto s = ReadCommandConfig(options.config, id, &config); !s) return fail(s.message());
  if (!(options.timeout_seconds > 0) || options.timeout_seconds > 3600) {
    return fail("--timeout must be between 0 and 3600 seconds");
  }
  CheckTarget target{options.plugin, config.settings.config_yaml};
  auto timeout = std::chrono::milliseconds(std::llround(options.timeout_seconds * 1000));

  std::cout << "cpa-sched check " << options.plugin
            << " (config: " << (options.config.empty() ? "empty" : options.config)
            << "; each probe in a child process, timeout " << options.timeout_seconds << " s)\n\n";
  PrintRow("CHECK", "RESULT", "DETAIL");
  std::map<std::string, std::string> facts;
  std::map<Verdict, int> counts;
  for (const Probe& probe : Probes()) {
    Row row = RunProbe(probe, target, &facts, timeout);
    ++counts[row.verdict];
    PrintRow(row.name, VerdictName(row.verdict), row.detail);
  }
  std::cout << "\n"
            << Probes().size() << " checks: " << counts[Verdict::kPass] << " passed, "
            << counts[Verdict::kFail] << " failed, " << counts[Verdict::kSkip] << " skipped\n";
  return counts[Verdict::kFail] == 0 ? kExitOk : kExitFailed;
}

}  // namespace

Command AddCheckCommand(CLI::App& parent) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* app = parent.add_subcommand(
      "check", "Check that PLUGIN (any CLIProxyAPI native plugin) honours the plugin contract");
  AddPluginArguments(app, &options->plugin, &options->config);
  app->add_option("--timeout", options->timeout_seconds,
                  "seconds each probe may take before the plugin counts as hung")
      ->capture_default_str();
  app->footer(
      "Each probe runs in its own child process that loads the plugin afresh, so a plugin\n"
      "that crashes or hangs fails that probe (with the signal, e.g. SIGSEGV) instead of\n"
      "stopping the check. Probes: abi, registration, config-fields, pick-replies,\n"
      "unknown-method, null-method, malformed-pick, malformed-register, concurrency, usage\n"
      "(usage.handle; skipped unless the plugin declares usage_plugin), management\n"
      "(management.register/handle; skipped unless it declares management_api), shutdown.\n"
      "\n"
      "Example:\n"
      "  cpa-sched check ./scheduler.so --config scheduler.yaml\n"
      "  cpa-sched check plugins/linux/amd64/my-plugin-v1.2.0.so --config config.yaml\n"
      "\n"
      "Exit codes: 0 every check passed (skips allowed), 1 a check failed, 2 usage error\n"
      "(unreadable plugin or config file).");
  return {app, [options] { return RunCheck(*options); }};
}

}  // namespace cpa_sched

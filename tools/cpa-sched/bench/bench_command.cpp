// cpa-sched bench: pick latency and throughput of any scheduler plugin through the C ABI.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "bench/bench_request.hpp"
#include "bench/bench_run.hpp"
#include "check/check_config.hpp"
#include "check/check_plugin.hpp"
#include "check/check_reply.hpp"
#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/json.hpp"
#include "command.hpp"
#include "plugin_config.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::CallReply;

// Distinct request bodies the threads cycle through (sessions and Stream vary).
constexpr size_t kVariants = 64;

struct BenchOptions {
  std::string plugin;
  std::string config;
  size_t candidates = 10;
  int threads = 1;
  double seconds = 2;
};

int Fail(const std::string& message) {
  std::cerr << "cpa-sched bench: " << message << "\n";
  return kExitUsage;
}

// "1.52 us", "12.3 ms": three significant digits in the unit that fits.
std::string Duration(double ns) {
  std::ostringstream out;
  out << std::setprecision(3);
  if (ns < 1e3) {
    out << ns << " ns";
  } else if (ns < 1e6) {
    out << ns / 1e3 << " us";
  } else {
    out << ns / 1e6 << " ms";
  }
  return out.str();
}

// Judges one reply per request variant (outside the measurement) with the checker's rules.
std::string SampleReplies(const cliproxy::host::PluginLibrary& plugin,
                          const std::vector<cliproxy::PickRequest>& requests,
                          const std::vector<std::string>& bodies) {
  std::map<PickReplyKind, int> kinds;
  for (size_t i = 0; i < requests.size(); ++i) {
    CallReply reply = plugin.Call("scheduler.pick", bodies[i]);
    PickReplyKind kind = PickReplyKind::kError;
    if (std::string problem = CheckPickReply(reply, requests[i], &kind); !problem.empty()) {
      return "INVALID: " + problem + " (run `cpa-sched check`)";
    }
    ++kinds[kind];
  }
  return std::to_string(requests.size()) +
         " sampled, all valid: " + std::to_string(kinds[PickReplyKind::kAuth]) + " auth, " +
         std::to_string(kinds[PickReplyKind::kDelegate]) + " delegate, " +
         std::to_string(kinds[PickReplyKind::kUnhandled]) + " unhandled, " +
         std::to_string(kinds[PickReplyKind::kError]) + " error envelopes";
}

int RunBenchCommand(const BenchOptions& options) {
  if (options.threads < 1 || options.threads > 256) return Fail("--threads must be 1..256");
  if (!(options.seconds > 0) || options.seconds > 3600) {
    return Fail("--seconds must be more than 0 and at most 3600");
  }
  if (options.candidates > 100000) return Fail("--candidates must be at most 100000");
  if (auto s = CheckPluginFile(options.plugin); !s) return Fail(s.message());
  std::string id = PluginIdFromPath(options.plugin);
  PluginConfig config;
  if (auto s = ReadCommandConfig(options.config, id, &config); !s) return Fail(s.message());

  std::unique_ptr<cliproxy::host::PluginLibrary> plugin;
  auto answer_callbacks = [](std::string_view method, std::string_view) -> CallReply {
    if (method == "host.log") return {0, R"({"ok":true,"result":{}})"};
    cliproxy::PluginError error;
    error.code = "host_call_failed";
    error.message = "unsupported host callback " + std::string(method);
    return {0, cliproxy::json::ErrorEnvelope(error)};
  };
  if (auto s = cliproxy::host::PluginLibrary::Open(options.plugin, answer_callbacks, &plugin); !s) {
    return Fail(s.message());
  }
  RegistrationFacts registration;
  std::string problem = CheckRegistrationReply(
      plugin->Call("plugin.register", LifecycleBody(config.settings.config_yaml)), &registration);
  if (!problem.empty()) {
    std::string with = options.config.empty() ? "an empty configuration" : options.config;
    return Fail(options.plugin + ": plugin.register with " + with + ": " + problem);
  }
  const cliproxy::PluginMetadata& m = registration.registration.metadata;
  if (!registration.registration.capabilities.scheduler) {
    return Fail(options.plugin + ": " + m.name +
                " does not declare the scheduler capability: the host never sends it picks");
  }

  std::vector<cliproxy::PickRequest> requests;
  std::vector<std::string> bodies;
  for (uint64_t v = 0; v < kVariants; ++v) {
    requests.push_back(GeneratePickRequest(options.candidates, v));
    requests.back().plugin = m;  // as the host sends it: the plugin's own metadata
    bodies.push_back(cliproxy::json::EncodePickRequest(requests.back()));
  }

  std::cout << "cpa-sched bench " << options.plugin
            << " (config: " << (options.config.empty() ? "empty" : options.config) << ")\n";
  std::cout << "plugin:      " << m.name << " " << m.version << " by " << m.author << "\n";
  std::cout << "requests:    " << kVariants << " Codex-like scheduler.pick bodies, "
            << options.candidates << " candidates, " << bodies[0].size() << " bytes each\n";
  std::cout << "run:         " << options.threads
            << (options.threads == 1 ? " thread, " : " threads, ") << options.seconds << " s\n"
            << std::flush;

  bool show_progress = isatty(STDERR_FILENO) && options.seconds > 1;
  auto progress = [&](double elapsed, uint64_t picks) {
    if (!show_progress) return;
    std::fprintf(stderr, "\rcpa-sched bench: %.1f / %.1f s, %llu picks", elapsed, options.seconds,
                 static_cast<unsigned long long>(picks));
    std::fflush(stderr);
  };
  BenchResult r = RunBench(*plugin, bodies, {options.threads, options.seconds}, progress);
  if (show_progress) std::fprintf(stderr, "\r\033[K");

  std::cout << "picks:       " << r.picks << " in " << std::fixed << std::setprecision(3)
            << r.seconds << " s (" << r.error_envelopes << " error envelopes, " << r.failed_calls
            << " failed calls)\n";
  std::cout << "throughput:  " << std::setprecision(0) << r.picks_per_second() << " picks/s\n";
  std::cout.unsetf(std::ios::floatfield);
  std::cout << "latency:     median " << Duration(r.median_ns) << ", p99 " << Duration(r.p99_ns)
            << ", max " << Duration(r.max_ns);
  if (r.sampled < r.picks) std::cout << " (over the first " << r.sampled << " picks)";
  std::cout << "\n";
  std::cout << "replies:     " << SampleReplies(*plugin, requests, bodies) << "\n";
  plugin.reset();
  return kExitOk;
}

}  // namespace

Command AddBenchCommand(CLI::App& parent) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* app = parent.add_subcommand(
      "bench", "Measure scheduler.pick latency and throughput of PLUGIN through the C ABI");
  AddPluginArguments(app, &options->plugin, &options->config);
  app->add_option("--candidates", options->candidates, "candidates per pick request")
      ->capture_default_str();
  app->add_option("--threads", options->threads, "threads picking at once")->capture_default_str();
  app->add_option("--seconds", options->seconds, "how long to measure")->capture_default_str();
  app->footer(
      "The plugin is registered with the configuration, then asked scheduler.pick with\n"
      "generated Codex-like requests (as testdata/pick-*.json: Go key order, attributes\n"
      "auth_kind, email, plan, region; 64 variants of session id and Stream).\n"
      "Latency is per call (median, p99, max); throughput is picks per second of wall time.\n"
      "\n"
      "Example:\n"
      "  cpa-sched bench ./scheduler.so --config scheduler.yaml --candidates 100 --threads 2 \\\n"
      "      --seconds 5\n"
      "\n"
      "Exit codes: 0 measured, 2 usage error, unreadable file, or a plugin that does not\n"
      "load, register or schedule.");
  return {app, [options] { return RunBenchCommand(*options); }};
}

}  // namespace cpa_sched

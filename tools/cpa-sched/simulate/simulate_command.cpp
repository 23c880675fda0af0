// cpa-sched simulate: load one plugin through the host, run a scenario's traffic through
// it in simulated time, report what it did to the accounts. With --instances N: a fleet of
// N proxy instances behind a load balancer, run once with the memory store and once with
// the Redis store, side by side (simulate_fleet.hpp).
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>

#include "base/redis_server_process.hpp"
#include "command.hpp"
#include "pick/pick_report.hpp"
#include "plugin_config.hpp"
#include "simulate/simulate_fleet.hpp"
#include "simulate/simulate_fleet_config.hpp"
#include "simulate/simulate_fleet_text.hpp"
#include "simulate/simulate_html.hpp"
#include "simulate/simulate_run.hpp"
#include "simulate/simulate_scenario.hpp"
#include "simulate/simulate_text.hpp"

namespace cpa_sched {
namespace {

struct SimulateOptions {
  std::string plugin;
  std::string config;
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string report;
  std::string strategy;
  std::optional<int> instances;
  std::string balance = "round-robin";
  std::string redis;  // a server the operator runs; empty: start one
};

int Fail(const std::string& message) {
  std::cerr << "cpa-sched simulate: " << message << "\n";
  return kExitUsage;
}

// A progress bar on stderr, only on a terminal and only once a run has taken a second:
// short runs and redirected output stay clean.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  ~ProgressBar() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
  }

  void Update(int64_t done, int64_t total) {
    if (!enabled_ || total <= 0) return;
    if (!drawn_ && Clock::now() - start_ < std::chrono::seconds(1)) return;
    int percent = static_cast<int>(done * 100 / total);
    if (drawn_ && percent == last_percent_) return;
    constexpr int kWidth = 30;
    int filled = percent * kWidth / 100;
    std::cerr << "\rsimulating [" << std::string(static_cast<size_t>(filled), '#')
              << std::string(static_cast<size_t>(kWidth - filled), '.') << "] " << percent << "% "
              << done << "/" << total << " requests" << std::flush;
    drawn_ = true;
    last_percent_ = percent;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

// A key prefix of its own for each run, so that a run against the operator's Redis never
// reads or writes the keys of their proxies (nor those of another run).
std::string RunPrefix() {
  std::random_device device;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%08x%08x", device(), device());
  return std::string("cpa-sched-simulate-") + buffer;
}

// A temporary directory for the redis-server of the run, removed with it.
class RedisDir {
 public:
  RedisDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cpa-sched-redis.XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~RedisDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int RunFleet(const SimulateOptions& options, const std::string& id, const PluginConfig& config,
             const Scenario& scenario) {
  const int instances = *options.instances;
  if (instances < 1 || instances > kMaxFleetInstances) {
    return Fail("--instances must be from 1 to " + std::to_string(kMaxFleetInstances) + " (got " +
                std::to_string(instances) + ")");
  }
  if (!options.report.empty()) return Fail("--report is not available with --instances yet");
  FleetSetup setup;
  setup.plugin_id = id;
  setup.plugin_path = options.plugin;
  setup.instances = instances;
  setup.balance = *ParseBalance(options.balance);
  setup.prefix = RunPrefix();
  if (auto s = ReadFleetConfig(config.settings.config_yaml, &setup.config); !s) {
    return Fail(options.config + ": " + s.message());
  }

  // The Redis server first: without one there is nothing to compare.
  RedisDir redis_dir;
  cliproxy::scheduler::RedisServerProcess redis_server;
  std::string redis_url = options.redis;
  if (redis_url.empty()) {
    if (redis_dir.path().empty()) return Fail("cannot create a temporary directory");
    std::string error;
    if (!redis_server.Start(redis_dir.path(), 0, &error)) {
      return Fail(error + "; or give the URL of a Redis server with --redis");
    }
    redis_url = redis_server.url();
    setup.redis = "a redis-server of this run on 127.0.0.1:" + std::to_string(redis_server.port()) +
                  " (stopped at the end)";
  } else {
    setup.redis = "the server given by --redis, " + RedactRedisUrl(redis_url) +
                  " (its keys under the prefix are left to expire or to delete)";
  }

  // The Redis store counts usage in wall-clock buckets and shares only the buckets of the
  // window ending now: the records are dated so that the run ends now (the usage clock
  // then agrees with the store's buckets).
  Scenario dated = scenario;
  const uint64_t seed = options.seed.value_or(scenario.seed);
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  dated.start_unix_ns = now_ns - LastArrivalNs(scenario.traffic, seed) - 1'000'000'000;

  PluginCopies copies;
  if (auto s = copies.Make(options.plugin, instances); !s) return Fail(s.message());

  std::vector<FleetRun> runs;
  for (const std::string store : {"memory", "redis"}) {
    cliproxy::host::PluginSettings settings = config.settings;
    const std::string url = store == "redis" ? redis_url : "";
    if (auto s =
            WithStateStore(config.settings.config_yaml, url, setup.prefix, &settings.config_yaml);
        !s) {
      return Fail(options.config + ": " + s.message());
    }
    LogCounter logs;
    cliproxy::host::HostOptions host_options;
    host_options.routing_strategy = scenario.routing_strategy;
    host_options.log_sink = logs.Sink();
    PluginFleet fleet;
    if (auto s = fleet.Load(copies.paths(), id, host_options, settings); !s) {
      // The message is the host's: it names the configuration key, never the URL.
      return Fail("store " + store + ": " + s.message());
    }
    SimulationOptions sim;
    sim.seed = seed;
    sim.balance = setup.balance;
    sim.exchange_ns = setup.config.interval_ns;
    if (store == "redis") sim.exchange = [&fleet] { fleet.Exchange(); };
    FleetRun run;
    run.store = store;
    run.result = Simulate(fleet.hosts(), dated, sim);
    run.result.logs = logs.Counts();
    run.exchanges = fleet.exchanges();
    run.unsynced = fleet.unsynced();
    runs.push_back(std::move(run));
  }
  PrintFleetComparison(std::cout, dated, setup, runs);
  return kExitOk;
}

int RunSimulate(const SimulateOptions& options) {
  std::string id = PluginIdFromPath(options.plugin);
  PluginConfig config;
  if (auto s = ReadPluginConfig(options.config, id, &config); !s) return Fail(s.message());
  Scenario scenario;
  if (auto s = ReadScenario(options.scenario, &scenario); !s) return Fail(s.message());
  if (!options.strategy.empty()) {
    scenario.routing_strategy = *cliproxy::host::ParseBuiltinStrategy(options.strategy);
  }
  if (options.instances) return RunFleet(options, id, config, scenario);

  LogCounter logs;
  cliproxy::host::HostOptions host_options;
  host_options.routing_strategy = scenario.routing_strategy;
  host_options.log_sink = logs.Sink();
  cliproxy::host::PluginHost host(host_options);
  cliproxy::host::Status loaded = host.Load(id, options.plugin, config.settings);
  std::optional<cliproxy::host::PluginInfo> info = host.Info(id);
  if (!info) return Fail(loaded.message());  // the file did not load at all
  if (!loaded) {                             // loaded, but its registration failed
    PrintPlugin(std::cerr, *info);
    PrintLogs(std::cerr, host.Logs());
    return Fail(options.plugin + ": " + loaded.message());
  }
  if (config.from_cliproxy_config && !config.settings.enabled) {
    std::cout << "note: plugins.configs." << id
              << ".enabled is not true: CLIProxyAPI would not load this plugin, so the "
                 "host's built-in decides every pick\n";
  }

  SimulationOptions sim;
  sim.seed = options.seed.value_or(scenario.seed);
  ProgressBar progress;
  sim.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  SimulationResult result = Simulate(host, scenario, sim);
  result.logs = logs.Counts();
  info = host.Info(id);  // a fuse during the run shows in the state

  PrintSimulation(std::cout, scenario, *info, result);
  if (!options.report.empty()) {
    std::ofstream report(options.report, std::ios::binary | std::ios::trunc);
    if (report) WriteHtmlReport(report, scenario, *info, result);
    report.close();
    if (!report) return Fail("cannot write the report " + options.report);
    std::cout << "report: " << options.report << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddSimulateCommand(CLI::App& parent) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* app = parent.add_subcommand(
      "simulate",
      "Run a scenario's traffic (accounts, sessions, tenants, cooldowns) through PLUGIN in "
      "simulated time and report picks per account, fairness, stickiness, decisions, errors");
  AddPluginArguments(app, &options->plugin, &options->config);
  app->add_option("--scenario", options->scenario,
                  "the scenario (YAML): accounts, traffic, events, usage; see docs/simulate.md")
      ->required();
  app->add_option("--seed", options->seed,
                  "seed of the simulated traffic (default: the scenario's `seed`, else 1); the "
                  "same seed gives the same output");
  app->add_option("--report", options->report,
                  "also write a self-contained HTML report (chart of picks per account over "
                  "time, and the tables) to this file");
  app->add_option("--strategy", options->strategy,
                  "the host's built-in for unhandled picks (CLIProxyAPI routing.strategy); "
                  "overrides the scenario's `routing_strategy`")
      ->check(CLI::IsMember({"round-robin", "fill-first"}));
  app->add_option("--instances", options->instances,
                  "simulate a fleet of N CLIProxyAPI instances (1 to 32) behind a load "
                  "balancer, each with its own copy of the plugin, once with `state: {store: "
                  "memory}` and once with the Redis store, and compare them (budgets, "
                  "sessions, per instance)");
  app->add_option("--balance", options->balance,
                  "with --instances: how the balancer spreads requests: round-robin "
                  "(default), random, or session (a session's requests to one instance)")
      ->check(CLI::IsMember({"round-robin", "random", "session"}));
  app->add_option("--redis", options->redis,
                  "with --instances: the Redis server to use (redis://[[user]:password@]host"
                  "[:port][/db]; never printed with its password); default: a redis-server "
                  "this run starts on a free loopback port and stops");
  app->footer(
      "Example:\n"
      "  cpa-sched simulate ./scheduler.so --config examples/claude-code-sticky.yaml \\\n"
      "      --scenario examples/scenarios/claude-code-sessions.yaml --seed 7 --report "
      "report.html\n"
      "  cpa-sched simulate ./scheduler.so --config examples/fleet-budget.yaml \\\n"
      "      --scenario examples/scenarios/fleet-budget.yaml --instances 3\n"
      "\n"
      "A fleet (--instances N): the same traffic runs twice through N instances, each "
      "with its own state,\n"
      "first with the memory store (each instance enforces budgets on its own usage: up "
      "to about N x limit),\n"
      "then with the Redis store (the fleet shares usage: limit + the overshoot "
      "docs/state.md states).\n"
      "Usage records go back to the instance that served the request. Redis is exchanged "
      "with on simulated\n"
      "time: every `state.interval` (default 250ms) of it, each instance in turn calls "
      "scheduler.state.sync,\n"
      "which waits for one full exchange; nothing sleeps, so what an instance sees of the "
      "others is at most\n"
      "one interval of simulated time old (the plugin's own store interval is set to 10m, "
      "so that no\n"
      "exchange happens on real time: the run is deterministic). The report shows the "
      "stated bound\n"
      "with the run's numbers.\n"
      "\n"
      "Exit codes: 0 simulated (failed picks are part of the result), 2 usage, scenario or "
      "load error.");
  return {app, [options] { return RunSimulate(*options); }};
}

}  // namespace cpa_sched

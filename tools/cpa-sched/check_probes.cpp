#include "check_probes.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "bench_request.hpp"
#include "capability_list.hpp"
#include "check_plugin.hpp"
#include "check_reply.hpp"
#include "cliproxy/json.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::CallReply;

constexpr const char* kPick = "scheduler.pick";
constexpr const char* kRegister = "plugin.register";
constexpr const char* kReconfigure = "plugin.reconfigure";
constexpr int kRacingPickers = 4;
constexpr auto kRaceTime = std::chrono::milliseconds(500);

std::unique_ptr<CheckedPlugin> Open(const CheckTarget& target, ProbeChannel& channel) {
  channel.Step("load the plugin and call cliproxy_plugin_init");
  AbiFacts facts;
  std::unique_ptr<CheckedPlugin> plugin;
  CheckedPlugin::Open(target.plugin, &facts, &plugin);
  if (!plugin) channel.Finish(Verdict::kFail, facts.failure);
  return plugin;
}

// Registers as a host would before anything else; the probes that judge the registration
// look at `facts`, the others go on whatever the answer.
std::string Register(const CheckTarget& target, CheckedPlugin& plugin, ProbeChannel& channel,
                     RegistrationFacts* facts) {
  channel.Step(kRegister);
  return CheckRegistrationReply(plugin.Call(kRegister, LifecycleBody(target.config_yaml)), facts);
}

struct LabeledRequest {
  std::string label;
  cliproxy::PickRequest request;
};

// Requests of the shapes CLIProxyAPI sends, and the edges it may send.
std::vector<LabeledRequest> GeneratedRequests(const cliproxy::PluginMetadata& metadata,
                                              uint64_t variant) {
  std::vector<LabeledRequest> out;
  out.push_back({"10 Codex candidates", GeneratePickRequest(10, variant)});
  out.push_back({"1 candidate", GeneratePickRequest(1, variant)});
  out.push_back({"no candidates", GeneratePickRequest(0, variant)});
  out.push_back({"100 candidates", GeneratePickRequest(100, variant)});

  cliproxy::PickRequest nulls = GeneratePickRequest(3, variant);
  nulls.providers = {};
  nulls.options.headers = {};
  for (cliproxy::Candidate& c : nulls.candidates) c.attributes = {};
  out.push_back({"null Providers, Headers, Attributes", std::move(nulls)});

  cliproxy::PickRequest tiers = GeneratePickRequest(6, variant);
  tiers.stream = true;
  for (size_t i = 0; i < 3; ++i) {
    tiers.candidates[i].priority = 1;
    tiers.candidates[i].attributes.Set("priority", "1");
  }
  out.push_back({"two priority tiers", std::move(tiers)});

  cliproxy::PickRequest mixed = GeneratePickRequest(3, variant);
  mixed.provider = "";
  mixed.providers = {"claude", "codex"};
  mixed.model = "claude-sonnet-4-5";
  for (size_t i = 0; i < 3; ++i) mixed.candidates.push_back(GeneratedCandidate(i, "claude"));
  out.push_back({"mixed providers", std::move(mixed)});

  cliproxy::PickRequest meta = GeneratePickRequest(5, variant);
  meta.options.metadata.Set("caller_scope", cliproxy::AnyValue::String("3f1c9a0d5e7b2468"));
  meta.options.metadata.Set("execution_session_id", cliproxy::AnyValue::String("exec-42"));
  meta.options.metadata.Set("requested_model", cliproxy::AnyValue::String("gpt-5.5"));
  meta.options.metadata.Set("reasoning_effort", cliproxy::AnyValue::String("high"));
  out.push_back({"request metadata", std::move(meta)});

  for (LabeledRequest& r : out) r.request.plugin = metadata;
  return out;
}

// Whether the registration succeeded; if not, skips the probe.
bool Registered(const std::string& problem, ProbeChannel& channel) {
  if (problem.empty()) return true;
  channel.Finish(Verdict::kSkip, "the registration failed: " + problem);
  return false;
}

void RunAbi(const CheckTarget& target, ProbeChannel& channel) {
  channel.Step("load the plugin and call cliproxy_plugin_init");
  AbiFacts facts;
  std::unique_ptr<CheckedPlugin> plugin;
  CheckedPlugin::Open(target.plugin, &facts, &plugin);
  if (!plugin) {
    channel.Finish(Verdict::kFail, facts.failure);
    return;
  }
  channel.Fact(kFactLoads, "1");
  channel.Finish(Verdict::kPass,
                 "abi_version 1; call, free_buffer set; shutdown " +
                     std::string(facts.has_shutdown ? "set" : "not set (optional)"));
}

void RunRegistration(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (std::string problem = Register(target, *plugin, channel, &facts); !problem.empty()) {
    channel.Finish(Verdict::kFail, "plugin.register: " + problem);
    return;
  }
  channel.Step(kReconfigure);
  RegistrationFacts again;
  std::string problem =
      CheckRegistrationReply(plugin->Call(kReconfigure, LifecycleBody(target.config_yaml)), &again);
  if (!problem.empty()) {
    channel.Finish(Verdict::kFail, "plugin.reconfigure: " + problem);
    return;
  }
  channel.Fact(kFactRegistered, "1");
  bool scheduler = facts.registration.capabilities.scheduler;
  channel.Fact(kFactScheduler, scheduler ? "1" : "0");
  const cliproxy::PluginMetadata& m = facts.registration.metadata;
  std::string detail = m.name + " " + m.version + " by " + m.author + ", schema " +
                       std::to_string(facts.registration.schema_version) + ", capabilities " +
                       CapabilityList(facts.registration.capabilities);
  if (!facts.unknown.empty()) {
    std::string unknown;
    for (const std::string& u : facts.unknown) unknown += (unknown.empty() ? "" : ",") + u;
    detail += "; unknown capability keys (ignored): " + unknown;
  }
  channel.Finish(Verdict::kPass, detail);
}

void RunConfigFields(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  std::string summary;
  std::string problem = CheckConfigFields(facts.result, &summary);
  channel.Finish(problem.empty() ? Verdict::kPass : Verdict::kFail,
                 problem.empty() ? summary : problem);
}

void RunPickReplies(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  std::map<PickReplyKind, int> counts;
  int picks = 0;
  size_t shapes = 0;
  for (uint64_t round = 0; round < 3; ++round) {
    std::vector<LabeledRequest> requests = GeneratedRequests(facts.registration.metadata, round);
    shapes = requests.size();
    for (const LabeledRequest& r : requests) {
      channel.Step("scheduler.pick with " + r.label);
      CallReply reply = plugin->Call(kPick, cliproxy::json::EncodePickRequest(r.request));
      PickReplyKind kind = PickReplyKind::kError;
      if (std::string problem = CheckPickReply(reply, r.request, &kind); !problem.empty()) {
        channel.Finish(Verdict::kFail, r.label + ": " + problem);
        return;
      }
      ++counts[kind];
      ++picks;
    }
  }
  channel.Finish(Verdict::kPass,
                 std::to_string(picks) + " picks of " + std::to_string(shapes) +
                     " shapes: " + std::to_string(counts[PickReplyKind::kAuth]) + " auth, " +
                     std::to_string(counts[PickReplyKind::kDelegate]) + " delegate, " +
                     std::to_string(counts[PickReplyKind::kUnhandled]) + " unhandled, " +
                     std::to_string(counts[PickReplyKind::kError]) + " error envelopes");
}

void RunUnknownMethod(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  Register(target, *plugin, channel, &facts);
  const char* method = "cpa_sched.no_such_method";
  channel.Step(std::string("call the unknown method ") + method);
  CallReply reply = plugin->Call(method, "{}");
  cliproxy::PluginError error;
  if (std::string problem = CheckErrorReply(reply, &error); !problem.empty()) {
    channel.Finish(Verdict::kFail, problem);
    return;
  }
  if (error.code != "unknown_method") {
    channel.Finish(Verdict::kFail, "error code \"" + error.code + "\", want \"unknown_method\"");
    return;
  }
  if (reply.rc != 0) {
    channel.Finish(Verdict::kFail, "return code " + std::to_string(reply.rc) + ", want 0");
    return;
  }
  channel.Finish(Verdict::kPass, "rc 0, unknown_method: " + error.message);
}

void RunNullMethod(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  Register(target, *plugin, channel, &facts);
  channel.Step("call with a NULL method");
  CallReply reply = plugin->Call(nullptr, "{}");
  cliproxy::PluginError error;
  std::string problem = CheckErrorReply(reply, &error);
  channel.Finish(problem.empty() ? Verdict::kPass : Verdict::kFail,
                 problem.empty() ? "rc " + std::to_string(reply.rc) + ", " + error.code : problem);
}

struct Malformed {
  std::string label;
  std::string body;
};

// Every body must get an error envelope; a crash names the body through the step.
void RunMalformed(CheckedPlugin& plugin, const char* method, const std::vector<Malformed>& bodies,
                  ProbeChannel& channel) {
  std::set<std::string> codes;
  std::vector<std::string> failures;
  for (const Malformed& m : bodies) {
    channel.Step(std::string(method) + " with " + m.label);
    cliproxy::PluginError error;
    std::string problem = CheckErrorReply(plugin.Call(method, m.body), &error);
    if (!problem.empty()) {
      failures.push_back(m.label + ": " + problem);
    } else {
      codes.insert(error.code);
    }
  }
  if (!failures.empty()) {
    std::string more =
        failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : "";
    channel.Finish(Verdict::kFail, failures.front() + more);
    return;
  }
  std::string list;
  for (const std::string& c : codes) list += (list.empty() ? "" : ", ") + c;
  channel.Finish(Verdict::kPass, std::to_string(bodies.size()) +
                                     " bodies, each answered with an error envelope (" + list +
                                     ")");
}

void RunMalformedPick(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  std::string valid = cliproxy::json::EncodePickRequest(GeneratePickRequest(3, 0));
  std::vector<Malformed> bodies = {
      {"an empty body", ""},
      {"truncated JSON", valid.substr(0, valid.size() / 2)},
      {"not JSON", "scheduler please pick"},
      {"trailing data", valid + " {}"},
      {"a JSON array", "[1,2,3]"},
      {"Candidates as an object", R"({"Candidates":{"ID":"a"}})"},
      {"a numeric candidate ID", R"({"Candidates":[{"ID":1,"Provider":"codex"}]})"},
      {"Priority as a string", R"({"Candidates":[{"ID":"a","Priority":"high"}]})"},
      {"Stream as a string", R"({"Model":"gpt-5.5","Stream":"yes"})"},
  };
  RunMalformed(*plugin, kPick, bodies, channel);
}

void RunMalformedRegister(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  Register(target, *plugin, channel, &facts);
  std::string valid = LifecycleBody("enabled: true\n");
  std::vector<Malformed> bodies = {
      {"truncated JSON", valid.substr(0, valid.size() / 2)},
      {"not JSON", "please register"},
      {"a JSON array", "[]"},
      {"config_yaml as a number", R"({"config_yaml":5,"schema_version":6})"},
      {"config_yaml not base64", R"({"config_yaml":"not base64!","schema_version":6})"},
  };
  RunMalformed(*plugin, kReconfigure, bodies, channel);
}

void RunConcurrency(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  std::vector<LabeledRequest> requests = GeneratedRequests(facts.registration.metadata, 7);
  std::vector<std::string> bodies;
  for (const LabeledRequest& r : requests) {
    bodies.push_back(cliproxy::json::EncodePickRequest(r.request));
  }
  std::string lifecycle = LifecycleBody(target.config_yaml);

  std::atomic<bool> stop{false};
  std::atomic<long> picks{0};
  std::atomic<long> reconfigures{0};
  std::mutex mu;
  std::string first_problem;
  auto report = [&](const std::string& problem) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_problem.empty()) first_problem = problem;
  };
  channel.Step(std::to_string(kRacingPickers) + " threads picking while plugin.reconfigure runs");
  std::vector<std::thread> threads;
  for (int t = 0; t < kRacingPickers; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !stop.load(std::memory_order_relaxed); ++i) {
        const LabeledRequest& r = requests[i % requests.size()];
        CallReply reply = plugin->Call(kPick, bodies[i % bodies.size()]);
        PickReplyKind kind;
        if (std::string problem = CheckPickReply(reply, r.request, &kind); !problem.empty()) {
          report("a pick (" + r.label + "): " + problem);
        }
        picks.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      RegistrationFacts again;
      std::string problem = CheckRegistrationReply(plugin->Call(kReconfigure, lifecycle), &again);
      if (!problem.empty()) report("plugin.reconfigure: " + problem);
      reconfigures.fetch_add(1, std::memory_order_relaxed);
    }
  });
  std::this_thread::sleep_for(kRaceTime);
  stop = true;
  for (std::thread& thread : threads) thread.join();
  std::string counts = std::to_string(picks.load()) + " picks racing " +
                       std::to_string(reconfigures.load()) + " reconfigures on " +
                       std::to_string(kRacingPickers + 1) + " threads";
  if (!first_problem.empty()) {
    channel.Finish(Verdict::kFail, first_problem + " (" + counts + ")");
    return;
  }
  channel.Finish(Verdict::kPass, counts + ": every reply valid");
}

void RunShutdown(const CheckTarget& target, ProbeChannel& channel) {
  AbiFacts facts;
  std::unique_ptr<CheckedPlugin> plugin;
  channel.Step("load the plugin and call cliproxy_plugin_init");
  CheckedPlugin::Open(target.plugin, &facts, &plugin);
  if (!plugin) {
    channel.Finish(Verdict::kFail, facts.failure);
    return;
  }
  RegistrationFacts registration;
  Register(target, *plugin, channel, &registration);
  if (registration.registration.capabilities.scheduler) {
    channel.Step(kPick);
    plugin->Call(kPick, cliproxy::json::EncodePickRequest(GeneratePickRequest(3, 0)));
  }
  channel.Step("shutdown");
  plugin->Shutdown();
  channel.Step("dlclose");
  plugin->Close();
  channel.Finish(Verdict::kPass, facts.has_shutdown
                                     ? "shutdown after calls, then dlclose: no crash"
                                     : "no shutdown (optional); dlclose after calls: no crash");
}

}  // namespace

const std::vector<Probe>& Probes() {
  static const std::pair<std::string, std::string> kLoads{kFactLoads, "the plugin does not load"};
  static const std::pair<std::string, std::string> kRegistered{kFactRegistered,
                                                               "the registration failed"};
  static const std::pair<std::string, std::string> kScheduler{
      kFactScheduler, "the plugin does not declare the scheduler capability"};
  static const std::vector<Probe> probes = {
      {"abi", {}, RunAbi},
      {"registration", {kLoads}, RunRegistration},
      {"config-fields", {kLoads, kRegistered}, RunConfigFields},
      {"pick-replies", {kLoads, kRegistered, kScheduler}, RunPickReplies},
      {"unknown-method", {kLoads}, RunUnknownMethod},
      {"null-method", {kLoads}, RunNullMethod},
      {"malformed-pick", {kLoads, kRegistered, kScheduler}, RunMalformedPick},
      {"malformed-register", {kLoads}, RunMalformedRegister},
      {"concurrency", {kLoads, kRegistered, kScheduler}, RunConcurrency},
      {"shutdown", {kLoads}, RunShutdown},
  };
  return probes;
}

}  // namespace cpa_sched

#include "check/check_probes.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "bench/bench_request.hpp"
#include "capability_list.hpp"
#include "check/check_management.hpp"
#include "check/check_plugin.hpp"
#include "check/check_reply.hpp"
#include "cliproxy/json.hpp"
#include "pick/pick_explain.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::CallReply;

constexpr const char* kPick = "scheduler.pick";
constexpr const char* kRegister = "plugin.register";
constexpr const char* kReconfigure = "plugin.reconfigure";
constexpr const char* kUsage = "usage.handle";
constexpr int kRacingPickers = 4;
constexpr auto kRaceTime = std::chrono::milliseconds(500);
constexpr int kUsageRacers = 2;  // threads sending records, and as many picking
constexpr auto kUsageRaceTime = std::chrono::milliseconds(300);

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
  // scheduler.so answers a configuration it rejects with ok, so that the host keeps it
  // (issue 10); its explanation says so. Asked of schedulers named "scheduler" only: other
  // plugins meet their first unknown method in the unknown-method probe, which is where a
  // plugin that hangs on one should fail.
  std::optional<Explanation> e;
  if (facts.registration.metadata.name == "scheduler") {
    e = ReadExplanation(plugin->Call(kExplainMethod, "{}"));
  }
  if (e && !e->config_error.empty()) {
    channel.Finish(Verdict::kFail, "the plugin answered ok but does not use the configuration (" +
                                       e->config_error + ")");
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

// A body to send, and how a report names it.
struct LabeledBody {
  std::string label;
  std::string body;
};

// Sends each body, which must get an error envelope; a crash names the body through the
// step. Returns the problems ("<label>: <problem>"); `codes` collects the error codes.
std::vector<std::string> SendMalformed(CheckedPlugin& plugin, const char* method,
                                       const std::vector<LabeledBody>& bodies,
                                       ProbeChannel& channel, std::set<std::string>* codes) {
  std::vector<std::string> failures;
  for (const LabeledBody& m : bodies) {
    channel.Step(std::string(method) + " with " + m.label);
    cliproxy::PluginError error;
    std::string problem = CheckErrorReply(plugin.Call(method, m.body), &error);
    if (!problem.empty()) {
      failures.push_back(m.label + ": " + problem);
    } else {
      codes->insert(error.code);
    }
  }
  return failures;
}

// The first problem, and how many more there are.
std::string FirstOf(const std::vector<std::string>& failures) {
  std::string more =
      failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : "";
  return failures.front() + more;
}

std::string Joined(const std::set<std::string>& items) {
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : ", ") + item;
  return list;
}

void RunMalformed(CheckedPlugin& plugin, const char* method, const std::vector<LabeledBody>& bodies,
                  ProbeChannel& channel) {
  std::set<std::string> codes;
  std::vector<std::string> failures = SendMalformed(plugin, method, bodies, channel, &codes);
  if (!failures.empty()) {
    channel.Finish(Verdict::kFail, FirstOf(failures));
    return;
  }
  channel.Finish(Verdict::kPass, std::to_string(bodies.size()) +
                                     " bodies, each answered with an error envelope (" +
                                     Joined(codes) + ")");
}

void RunMalformedPick(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  std::string valid = cliproxy::json::EncodePickRequest(GeneratePickRequest(3, 0));
  std::vector<LabeledBody> bodies = {
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
  std::vector<LabeledBody> bodies = {
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

// A record as CLIProxyAPI sends one when a Codex request served by generated candidate
// `n % 10` has finished; `n` moves its time on by a second and varies latency and tokens.
cliproxy::UsageRecord GeneratedUsageRecord(uint64_t n) {
  cliproxy::UsageRecord r;
  size_t account = static_cast<size_t>(n % 10);
  r.provider = "codex";
  r.executor_type = "codex";
  r.model = "gpt-5.5";
  r.auth_id = GeneratedCandidateId(account);
  char index[17];
  std::snprintf(index, sizeof index, "%016llx",
                static_cast<unsigned long long>(0x9e3779b97f4a7c15ULL * (account + 1)));
  r.auth_index = index;
  r.auth_type = "oauth";
  r.source = "user" + std::to_string(account) + "@example.com";
  r.reasoning_effort = "high";
  char at[64];
  std::snprintf(at, sizeof at, "2026-05-04T%02u:%02u:%02u.418207611+02:00",
                static_cast<unsigned>(9 + (n / 3600) % 12), static_cast<unsigned>((n / 60) % 60),
                static_cast<unsigned>(n % 60));
  r.requested_at = at;
  r.latency_ns = 1'800'000'000 + static_cast<int64_t>(n % 17) * 113'000'000;
  r.ttft_ns = 420'000'000 + static_cast<int64_t>(n % 5) * 31'000'000;
  r.detail.input_tokens = 12'000 + static_cast<int64_t>(n % 7) * 1'500;
  r.detail.output_tokens = 800 + static_cast<int64_t>(n % 11) * 90;
  r.detail.reasoning_tokens = 256;
  r.detail.cached_tokens = 4'096;
  r.detail.cache_read_tokens = 4'096;
  r.detail.total_tokens = r.detail.input_tokens + r.detail.output_tokens;
  auto header = [&](const char* name, std::string value) {
    cliproxy::Slice<std::string> values;
    values.push_back(std::move(value));
    r.response_headers.Set(name, std::move(values));
  };
  header("Content-Type", "text/event-stream");
  header("X-Codex-Primary-Used-Percent", std::to_string(10 + n % 80));
  header("X-Codex-Primary-Reset-After-Seconds", std::to_string(9'000 + n % 600));
  header("X-Request-Id", "req_" + std::to_string(1'000'000 + n));
  return r;
}

// Records the host may send that a plugin must answer with a valid envelope, ok or error
// (its business), and never with a crash: nulls where Go has nil maps, lists and pointers,
// a failed request, keys from newer hosts and unknown ones, nothing at all.
std::vector<LabeledBody> EdgeUsageRecords() {
  cliproxy::UsageRecord failed = GeneratedUsageRecord(3);
  failed.failed = true;
  failed.failure.status_code = 429;
  failed.failure.body =
      R"({"error":{"type":"usage_limit_reached","message":"The usage limit has been reached"}})";
  failed.ttft_ns = 0;
  failed.detail = {};
  failed.response_headers = {};
  failed.response_headers.Set("Retry-After", cliproxy::Slice<std::string>{"30"});
  std::string newer = cliproxy::json::EncodeUsageRecord(GeneratedUsageRecord(4));
  newer.insert(1, R"("SessionID":"exec-42","ParentSessionID":"","BaseURL":"https://chatgpt.com/)"
                  R"(backend-api/codex","CpaSchedUnknown":{"nested":[1,null,"x"]},)");
  return {
      {"null Failure, Detail and ResponseHeaders",
       R"({"Provider":"codex","Model":"gpt-5.5","AuthID":"codex-user1@example.com.json",)"
       R"("RequestedAt":"2026-05-04T09:00:01.5+02:00","Latency":1500000000,"TTFT":0,)"
       R"("Failed":false,"Failure":null,"Detail":null,"ResponseHeaders":null})"},
      {"a header with a null list",
       R"({"AuthID":"codex-user2@example.com.json","Latency":900000000,)"
       R"("ResponseHeaders":{"Retry-After":null,"X-Request-Id":[]}})"},
      {"a Failed record (429)", cliproxy::json::EncodeUsageRecord(failed)},
      {"unknown keys (SessionID, BaseURL, CpaSchedUnknown)", std::move(newer)},
      {"an empty record {}", "{}"},
      {"JSON null", "null"},
  };
}

// Bodies no host sends, which must get an error envelope: as Go's decoder would refuse them.
std::vector<LabeledBody> MalformedUsageBodies() {
  std::string valid = cliproxy::json::EncodeUsageRecord(GeneratedUsageRecord(0));
  return {
      {"an empty body", ""},
      {"truncated JSON", valid.substr(0, valid.size() / 2)},
      {"not JSON", "usage: 12000 tokens"},
      {"trailing data", valid + " {}"},
      {"a JSON array", "[]"},
      {"Latency as a string \"1s\"", R"({"AuthID":"a","Latency":"1s"})"},
      {"RequestedAt as a number", R"({"AuthID":"a","RequestedAt":1777878753})"},
      {"Failed as a string", R"({"AuthID":"a","Failed":"yes"})"},
      {"InputTokens as a string", R"({"AuthID":"a","Detail":{"InputTokens":"12000"}})"},
      {"a header value not a list", R"({"AuthID":"a","ResponseHeaders":{"Retry-After":"30"}})"},
  };
}

// A usage.handle reply to a well-formed record: an ok envelope with return code 0.
std::string CheckUsageOk(const CallReply& reply) {
  CheckedEnvelope envelope;
  if (std::string problem = CheckEnvelope(reply, &envelope); !problem.empty()) return problem;
  if (!envelope.ok) {
    return "answered with an error envelope (" + envelope.error.code + ": " +
           envelope.error.message + "), want ok";
  }
  return "";
}

// Picks and usage records at once, as a proxy under load sends them. "" or the first
// problem; `counts` says what ran.
std::string RaceUsageWithPicks(CheckedPlugin& plugin, const RegistrationFacts& facts,
                               ProbeChannel& channel, std::string* counts) {
  std::vector<LabeledRequest> requests = GeneratedRequests(facts.registration.metadata, 11);
  std::vector<std::string> pick_bodies;
  for (const LabeledRequest& r : requests) {
    pick_bodies.push_back(cliproxy::json::EncodePickRequest(r.request));
  }
  std::vector<std::string> records;
  for (uint64_t n = 0; n < 64; ++n) {
    records.push_back(cliproxy::json::EncodeUsageRecord(GeneratedUsageRecord(100 + n)));
  }
  std::atomic<bool> stop{false};
  std::atomic<long> picks{0};
  std::atomic<long> sent{0};
  std::mutex mu;
  std::string first_problem;
  auto report = [&](const std::string& problem) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_problem.empty()) first_problem = problem;
  };
  channel.Step(std::to_string(kUsageRacers) + " threads sending usage.handle while " +
               std::to_string(kUsageRacers) + " pick");
  std::vector<std::thread> threads;
  for (int t = 0; t < kUsageRacers; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !stop.load(std::memory_order_relaxed); ++i) {
        const LabeledRequest& r = requests[i % requests.size()];
        PickReplyKind kind;
        std::string problem = CheckPickReply(
            plugin.Call(kPick, pick_bodies[i % pick_bodies.size()]), r.request, &kind);
        if (!problem.empty()) report("a pick (" + r.label + "): " + problem);
        picks.fetch_add(1, std::memory_order_relaxed);
      }
    });
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !stop.load(std::memory_order_relaxed); i += 2) {
        std::string problem = CheckUsageOk(plugin.Call(kUsage, records[i % records.size()]));
        if (!problem.empty()) report("a usage record: " + problem);
        sent.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(kUsageRaceTime);
  stop = true;
  for (std::thread& thread : threads) thread.join();
  *counts = std::to_string(sent.load()) + " records racing " + std::to_string(picks.load()) +
            " picks on " + std::to_string(2 * kUsageRacers) + " threads";
  return first_problem;
}

void RunUsage(const CheckTarget& target, ProbeChannel& channel) {
  std::unique_ptr<CheckedPlugin> plugin = Open(target, channel);
  if (!plugin) return;
  RegistrationFacts facts;
  if (!Registered(Register(target, *plugin, channel, &facts), channel)) return;
  if (!facts.registration.capabilities.usage_plugin) {
    channel.Finish(Verdict::kSkip, "the registration does not declare usage_plugin");
    return;
  }
  channel.Step(std::string(kUsage) + " with a well-formed record");
  std::string record = cliproxy::json::EncodeUsageRecord(GeneratedUsageRecord(0));
  if (std::string problem = CheckUsageOk(plugin->Call(kUsage, record)); !problem.empty()) {
    channel.Finish(Verdict::kFail, "a well-formed record: " + problem);
    return;
  }

  std::vector<std::string> failures;
  std::vector<LabeledBody> edges = EdgeUsageRecords();
  int edge_ok = 0;
  for (const LabeledBody& edge : edges) {
    channel.Step(std::string(kUsage) + " with " + edge.label);
    CheckedEnvelope envelope;
    std::string problem = CheckEnvelope(plugin->Call(kUsage, edge.body), &envelope);
    if (!problem.empty()) {
      failures.push_back(edge.label + ": " + problem);
    } else if (envelope.ok) {
      ++edge_ok;
    }
  }
  std::set<std::string> codes;
  std::vector<LabeledBody> malformed = MalformedUsageBodies();
  for (std::string& problem : SendMalformed(*plugin, kUsage, malformed, channel, &codes)) {
    failures.push_back(std::move(problem));
  }
  if (!failures.empty()) {
    channel.Finish(Verdict::kFail, FirstOf(failures));
    return;
  }
  std::string detail = "a well-formed record ok; " + std::to_string(edges.size()) +
                       " edge records: " + std::to_string(edge_ok) + " ok, " +
                       std::to_string(edges.size() - static_cast<size_t>(edge_ok)) + " error; " +
                       std::to_string(malformed.size()) + " malformed bodies: error envelopes (" +
                       Joined(codes) + "); ";
  if (!facts.registration.capabilities.scheduler) {
    channel.Finish(Verdict::kPass, detail + "no scheduler capability: no race with picks");
    return;
  }
  std::string counts;
  if (std::string problem = RaceUsageWithPicks(*plugin, facts, channel, &counts);
      !problem.empty()) {
    channel.Finish(Verdict::kFail, problem + " (" + counts + ")");
    return;
  }
  channel.Finish(Verdict::kPass, detail + counts + ": every reply valid");
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
      {"usage", {kLoads, kRegistered}, RunUsage},
      {"management", {kLoads, kRegistered}, RunManagementProbe},
      {"shutdown", {kLoads}, RunShutdown},
  };
  return probes;
}

}  // namespace cpa_sched

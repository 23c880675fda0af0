#include "scheduler/scheduler_plugin.hpp"

#include "base/yaml_reader.hpp"
#include "scheduler/config.hpp"
#include "scheduler/config_problem.hpp"
#include "scheduler/host_builtin.hpp"
#include "scheduler/reused_pick_request.hpp"
#include "scheduler/status/status_json.hpp"
#include "scheduler/strategy_registry.hpp"

#ifndef CLIPROXY_SCHEDULER_VERSION
#error "CLIPROXY_SCHEDULER_VERSION must be defined by the build"
#endif
#ifndef CLIPROXY_SCHEDULER_REPOSITORY
#error "CLIPROXY_SCHEDULER_REPOSITORY must be defined by the build"
#endif

namespace cliproxy::scheduler {
namespace {

constexpr std::string_view kExplainMethod = "scheduler.explain";
constexpr std::string_view kSyncMethod = "scheduler.state.sync";
constexpr std::chrono::seconds kSyncTimeout{5};

ConfigField Field(std::string name, std::string type, std::string description) {
  ConfigField f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.description = std::move(description);
  return f;
}

// Warnings of the policy go to the host's log.
class HostLogger : public Logger {
 public:
  explicit HostLogger(HostApi host) : host_(host) {}
  void Warn(std::string_view message) const noexcept override {
    try {
      host_.Log(LogLevel::kWarn, message);
    } catch (...) {  // best effort: a log line must never fail a pick
    }
  }

 private:
  HostApi host_;
};

}  // namespace

Registration SchedulerRegistration(bool reads_usage, bool across_priorities, bool status_page) {
  Registration r;
  // Schema 1 is all a scheduler needs; declaring more would make older hosts refuse us.
  r.schema_version = 1;
  r.metadata.name = "scheduler";
  r.metadata.version = CLIPROXY_SCHEDULER_VERSION;
  r.metadata.author = "cliproxy-scheduler";
  r.metadata.github_repository = CLIPROXY_SCHEDULER_REPOSITORY;
  r.metadata.config_fields.push_back(Field(
      "auth_id", "string", "Selects this auth ID when it is present in the scheduler candidates."));
  ConfigField delegate = Field("delegate", "enum",
                               "Delegates selection to a built-in scheduler when set to "
                               "fill-first or round-robin.");
  delegate.enum_values = {"", std::string(kHostFillFirst), std::string(kHostRoundRobin)};
  r.metadata.config_fields.push_back(std::move(delegate));
  r.metadata.config_fields.push_back(
      Field("deny", "boolean", "Rejects scheduler picks with an explicit error when enabled."));
  r.metadata.config_fields.push_back(
      Field("routes", "array",
            "Ordered routing rules: the first route whose `when` matches picks from its pool "
            "with its strategy (" +
                StrategyNames() + ")."));
  r.capabilities.scheduler = true;
  r.capabilities.usage_plugin = reads_usage;
  r.capabilities.scheduler_across_priorities = across_priorities;
  r.capabilities.management_api = status_page;
  return r;
}

Registration RegistrationOf(const Policy& policy) {
  return SchedulerRegistration(policy.reads_usage(), policy.config().across_priorities,
                               policy.config().status_page);
}

Result<PickResult> ToPickResult(const Decision& decision) {
  PickResult result;
  switch (decision.kind) {
    case Decision::Kind::kError:
      return {decision.error};
    case Decision::Kind::kAuth:
      result.auth_id = decision.auth_id;
      result.handled = true;
      break;
    case Decision::Kind::kDelegate:
      result.delegate_builtin = decision.delegate;
      result.handled = true;
      break;
    case Decision::Kind::kUnhandled:
      break;
  }
  return result;
}

Result<Registration> SchedulerPlugin::Register(const LifecycleRequest& request) {
  std::lock_guard<std::mutex> lock(reconfigure_mutex_);
  std::shared_ptr<const Policy> previous = policy_.Load();
  std::shared_ptr<const Policy> next;
  std::shared_ptr<StateStore> old_store;
  std::shared_ptr<StateStore> store;
  {
    std::lock_guard<std::mutex> store_lock(store_mutex_);
    old_store = store_;
  }
  try {
    Config config = ParseConfig(request.config_yaml);
    if (!logger_) logger_ = std::make_shared<HostLogger>(host());
    store = old_store && old_store->config() == config.state
                ? old_store
                : MakeStateStore(config.state, logger_);
    next = Policy::Compile(std::move(config), previous.get(), logger_, store);
  } catch (const ConfigError& e) {
    // A store made for the rejected configuration was never started: dropped; the one in
    // force stays, untouched.
    if (store && store != old_store) store->Discard();
    return Reject(request.config_yaml, e.what(), previous);
  }
  // Accepted: only now is the store started and are the states attached to it.
  if (store) store->Start();
  next->AttachStoredStates();
  Registration registration = RegistrationOf(*next);
  policy_.Store(std::move(next));
  {
    std::lock_guard<std::mutex> store_lock(store_mutex_);
    store_ = store;
  }
  if (old_store && old_store != store) old_store->Close();
  SetRejection("");
  status_.ConfigAccepted(UnixNowMs());
  return registration;
}

Result<Registration> SchedulerPlugin::Reject(const std::string& yaml, const std::string& problem,
                                             const std::shared_ptr<const Policy>& previous) {
  const bool has_good = previous != nullptr && !previous->fails_closed();
  // The operator's word on what a bad configuration does: this one's `fail_open` when it
  // can be read, else the last good configuration's.
  const bool fail_open =
      ReadFailOpen(yaml).value_or(has_good ? previous->config().fail_open : false);
  const std::string message = "invalid configuration: " + problem;
  SetRejection(message);
  status_.ConfigRejected(problem, UnixNowMs());

  std::string consequence;
  if (fail_open) {
    consequence =
        "refused (fail_open: true): the host routes with its own strategy until a "
        "valid configuration arrives";
  } else if (has_good) {
    consequence = "ignored: the last good configuration stays in force";
  } else {
    consequence = "no valid configuration yet: every pick fails with 503 " +
                  std::string(kConfigInvalidCode) + " until one arrives";
  }
  const ConfigProblem where = ReadConfigProblem(problem);
  StringMap fields;
  if (!where.key.empty()) fields.Set("key", where.key);
  if (where.line > 0) fields.Set("line", std::to_string(where.line));
  if (where.column > 0) fields.Set("column", std::to_string(where.column));
  host().Log(LogLevel::kError, "scheduler: " + message + "; " + consequence, fields);

  if (fail_open) {
    // The host drops a plugin whose reconfigure fails and routes with its built-in; a
    // fail-closed stand-in must not outlive that choice.
    if (previous != nullptr && previous->fails_closed()) policy_.Store(nullptr);
    PluginError error;
    error.code = std::string(codes::kInvalidConfig);
    error.message = message;
    return {std::move(error), /*fatal=*/true};
  }
  if (has_good) return RegistrationOf(*previous);
  PluginError error;
  error.code = std::string(kConfigInvalidCode);
  error.http_status = 503;
  // The client is told where and what, never the values the operator wrote.
  std::string text = "scheduler configuration is invalid";
  if (where.line > 0) {
    text += " at line " + std::to_string(where.line);
    if (where.column > 0) text += ", column " + std::to_string(where.column);
  }
  error.message = text + ": " + WithoutQuotedValues(where.what);
  policy_.Store(Policy::FailClosed(std::move(error)));
  return SchedulerRegistration();
}

void SchedulerPlugin::SetRejection(std::string message) {
  std::lock_guard<std::mutex> lock(rejection_mutex_);
  rejection_ = std::move(message);
}

std::string SchedulerPlugin::rejection() const {
  std::lock_guard<std::mutex> lock(rejection_mutex_);
  return rejection_;
}

Result<PickResult> SchedulerPlugin::Pick(const PickRequest& request) {
  std::shared_ptr<const Policy> policy = policy_.Load();
  if (!policy) {  // before any register: unhandled, as the reference
    status_.RecordPick(nullptr, Decision::Unhandled(), UnixNowMs());
    return PickResult{};
  }
  WatchMetadata(*policy, request);
  Decision decision = policy->Pick(request);
  status_.RecordPick(policy.get(), decision, UnixNowMs());
  return ToPickResult(decision);
}

void SchedulerPlugin::WatchMetadata(const Policy& policy, const PickRequest& request) const {
  if (std::optional<MetadataWatch::Report> report = policy.WatchMetadata(request)) {
    StringMap fields;
    std::string missing, sent;
    for (const std::string& k : report->missing) missing += (missing.empty() ? "" : ",") + k;
    for (const std::string& k : report->sent) sent += (sent.empty() ? "" : ",") + k;
    fields.Set("missing_keys", missing);
    fields.Set("sent_keys", sent);
    host().Log(LogLevel::kError, report->message, fields);
  }
}

Result<PickResult> SchedulerPlugin::PickBody(std::string_view body) {
  // One snapshot for both steps: decode what this policy reads, then decide with it.
  std::shared_ptr<const Policy> policy = policy_.Load();
  ReusedPickRequest request;
  if (Result<Empty> decoded =
          DecodePickInto(body, policy ? policy->fields() : json::PickFields{}, &request.get());
      !decoded.ok()) {
    return {decoded.error(), decoded.fatal()};
  }
  if (!policy) {  // before any register: unhandled, as the reference
    status_.RecordPick(nullptr, Decision::Unhandled(), UnixNowMs());
    return PickResult{};
  }
  WatchMetadata(*policy, request.get());
  Decision decision = policy->Pick(request.get());
  status_.RecordPick(policy.get(), decision, UnixNowMs());
  return ToPickResult(decision);
}

Result<Empty> SchedulerPlugin::HandleUsage(const UsageRecord& record) {
  if (std::shared_ptr<const Policy> policy = policy_.Load()) policy->ObserveUsage(record);
  status_.RecordUsage(record, UnixNowMs());
  return Empty{};
}

Result<ManagementRegistration> SchedulerPlugin::RegisterManagement(
    const ManagementRegistrationRequest& request) {
  StatusPaths paths = StatusPathsFor(request);
  ManagementRegistration registration = StatusRegistration(paths);
  std::lock_guard<std::mutex> lock(paths_mutex_);
  paths_ = std::move(paths);
  return registration;
}

Result<ManagementResponse> SchedulerPlugin::HandleManagement(const ManagementRequest& request) {
  StatusPaths paths;
  {
    std::lock_guard<std::mutex> lock(paths_mutex_);
    paths = paths_;
  }
  return ServeStatus(request, paths, [this] {
    std::shared_ptr<const Policy> policy = policy_.Load();
    return RenderStatusJson(status_, policy.get(), UnixNowMs());
  });
}

RawReply SchedulerPlugin::HandleOther(std::string_view method, std::string_view body) {
  if (method == kExplainMethod) return Explain(body);
  if (method == kSyncMethod) return SyncState();
  return Plugin::HandleOther(method, body);
}

RawReply SchedulerPlugin::SyncState() {
  std::shared_ptr<StateStore> store;
  {
    std::lock_guard<std::mutex> lock(store_mutex_);
    store = store_;
  }
  const bool synced = store ? store->SyncNow(kSyncTimeout) : true;
  std::string out = "{\"Store\":";
  json::AppendQuoted(&out, store ? store->Describe() : "memory");
  out += ",\"Synced\":";
  out += synced ? "true" : "false";
  out += "}";
  return {0, json::OkEnvelope(out)};
}

void SchedulerPlugin::Shutdown() {
  std::shared_ptr<StateStore> store;
  {
    std::lock_guard<std::mutex> lock(store_mutex_);
    store = store_;
  }
  try {
    if (store) store->Close();
  } catch (...) {  // called from the destructor: nothing may escape
  }
}

SchedulerPlugin::~SchedulerPlugin() { Shutdown(); }

RawReply SchedulerPlugin::Explain(std::string_view body) const {
  std::shared_ptr<const Policy> policy = policy_.Load();
  PickRequest request;
  json::PickFields fields = policy ? policy->fields() : json::PickFields{};
  if (json::DecodeStatus s = json::DecodePickRequest(body, &request, fields); !s) {
    PluginError error;
    error.code = std::string(codes::kInvalidRequest);
    error.message = std::string(kExplainMethod) + ": " + s.message;
    return {1, json::ErrorEnvelope(error)};
  }
  Decision decision;
  if (policy) decision = policy->Explain(request);
  Result<PickResult> result = ToPickResult(decision);
  Explanation explanation;
  if (result.ok()) explanation.decision = result.value();
  explanation.rule = std::move(decision.rule);
  if (!result.ok()) {
    explanation.error = result.error();
    explanation.has_error = true;
  }
  explanation.config_error = rejection();
  return {0, json::OkEnvelope(json::EncodeExplanation(explanation))};
}

}  // namespace cliproxy::scheduler

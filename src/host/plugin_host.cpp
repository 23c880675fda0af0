// PluginHost: the plugin registry, registration, pick routing with normalization, fusing
// and built-in fallback, usage delivery.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"
#include "host/host_callbacks.hpp"
#include "host/log_book.hpp"

namespace cliproxy::host {
namespace {

constexpr std::string_view kRegister = "plugin.register";
constexpr std::string_view kReconfigure = "plugin.reconfigure";
constexpr std::string_view kPick = "scheduler.pick";
constexpr std::string_view kUsage = "usage.handle";

// CLIProxyAPI's plugin id: [A-Za-z0-9][A-Za-z0-9._-]{0,127}.
bool ValidId(std::string_view id) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (id.empty() || id.size() > 128 || !alnum(id[0])) return false;
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string CanonicalPath(const std::string& path) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

// CLIProxyAPI's validPlugin: complete metadata and at least one capability it counts.
bool ValidRegistration(const Registration& r) {
  const PluginMetadata& m = r.metadata;
  for (const std::string* field : {&m.name, &m.version, &m.author, &m.github_repository}) {
    if (TrimSpace(*field).empty()) return false;
  }
  return DeclaresCountedCapability(r.capabilities);
}

}  // namespace

bool CountsAsCapability(std::string_view flag) {
  static constexpr std::string_view kUncounted[] = {
      "request_lifecycle_plugin", "outbound_header_interceptor", "frontend_auth_provider_exclusive",
      "scheduler_across_priorities"};
  if (std::find(std::begin(kUncounted), std::end(kUncounted), flag) != std::end(kUncounted)) {
    return false;
  }
  const std::vector<json::CapabilityKey>& keys = json::CapabilityKeys();
  return std::any_of(keys.begin(), keys.end(), [&](const json::CapabilityKey& key) {
    return key.kind == json::CapabilityKind::kFlag && key.name == flag;
  });
}

bool DeclaresCountedCapability(const Capabilities& capabilities) {
  std::vector<std::string_view> set = json::SetCapabilityFlags(capabilities);
  return std::any_of(set.begin(), set.end(), CountsAsCapability);
}

struct PluginHost::Slot {
  std::string id;
  std::string path;
  std::string canonical_path;
  std::shared_ptr<PluginLibrary> library;
  bool registered_once = false;  // touched under admin_mu_ only

  // Guarded by PluginHost::mu_.
  PluginSettings settings;
  PluginState state = PluginState::kDisabled;
  std::string reason;
  Registration registration;
  int64_t schema_version = 0;
};

struct PluginHost::RegisterResult {
  bool ok = false;
  Registration registration;
  std::string reason;
};

std::string_view PluginStateName(PluginState state) {
  switch (state) {
    case PluginState::kActive:
      return "active";
    case PluginState::kInactive:
      return "inactive";
    case PluginState::kDisabled:
      return "disabled";
    case PluginState::kFused:
      return "fused";
  }
  return "inactive";
}

std::string_view PickDecisionName(PickDecision decision) {
  switch (decision) {
    case PickDecision::kPluginAuth:
      return "plugin-auth";
    case PickDecision::kPluginDelegate:
      return "plugin-delegate";
    case PickDecision::kUnhandled:
      return "unhandled";
    case PickDecision::kInvalidReply:
      return "invalid-reply";
    case PickDecision::kFused:
      return "fused";
    case PickDecision::kNoScheduler:
      return "no-scheduler";
    case PickDecision::kError:
      return "error";
  }
  return "error";
}

PluginHost::PluginHost(HostOptions options)
    : options_(std::move(options)),
      log_(std::make_shared<internal::LogBook>(options_.log_capacity, options_.log_sink)) {}

PluginHost::~PluginHost() {
  std::map<std::string, std::shared_ptr<Slot>> plugins;
  {
    std::lock_guard<std::mutex> lock(mu_);
    plugins.swap(plugins_);
  }
  // Slots (and their libraries) go here, outside the lock: shutdown may call back.
}

void PluginHost::Log(LogLevel level, std::string plugin_id, std::string message, StringMap fields) {
  LogEntry entry;
  entry.level = level;
  if (!plugin_id.empty()) fields.Set("plugin_id", plugin_id);
  entry.plugin_id = std::move(plugin_id);
  entry.message = std::move(message);
  entry.fields = std::move(fields);
  log_->Append(std::move(entry));
}

Status PluginHost::Load(const std::string& id, const std::string& path,
                        const PluginSettings& settings) {
  if (!ValidId(id)) {
    return Status::Error("invalid plugin id \"" + id +
                         "\" (want [A-Za-z0-9][A-Za-z0-9._-]{0,127}) for " + path);
  }
  std::lock_guard<std::mutex> admin(admin_mu_);
  auto slot = std::make_shared<Slot>();
  slot->id = id;
  slot->path = path;
  slot->canonical_path = CanonicalPath(path);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (plugins_.count(id) != 0) return Status::Error("plugin id " + id + " is already loaded");
    for (const auto& [other_id, other] : plugins_) {
      if (other->canonical_path == slot->canonical_path) {
        return Status::Error(path + " is already loaded as plugin " + other_id);
      }
    }
  }

  HostCallHandler handler = [log = log_, id](std::string_view method, std::string_view body) {
    return internal::AnswerCallback(method, body, id, log.get());
  };
  std::unique_ptr<PluginLibrary> library;
  if (Status opened = PluginLibrary::Open(path, std::move(handler), &library); !opened) {
    Log(LogLevel::kError, id, "pluginhost: " + opened.message());
    return opened;
  }
  slot->library = std::move(library);

  RegisterResult result;
  if (settings.enabled) result = Register(*slot, settings);
  std::lock_guard<std::mutex> lock(mu_);
  ApplyRegistration(*slot, settings, result);
  plugins_.emplace(id, slot);
  if (settings.enabled && !result.ok) return Status::Error(result.reason);
  return {};
}

Status PluginHost::Reconfigure(const std::string& id, const PluginSettings& settings) {
  std::lock_guard<std::mutex> admin(admin_mu_);
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = plugins_.find(id);
    if (it == plugins_.end()) return Status::Error("unknown plugin id " + id);
    slot = it->second;
    if (slot->state == PluginState::kFused) {
      return Status::Error("plugin " + id + " is fused (" + slot->reason +
                           "); unload and load it again");
    }
  }
  RegisterResult result;
  if (settings.enabled) result = Register(*slot, settings);
  std::lock_guard<std::mutex> lock(mu_);
  ApplyRegistration(*slot, settings, result);
  if (settings.enabled && !result.ok) return Status::Error(result.reason);
  return {};
}

Status PluginHost::Unload(const std::string& id) {
  std::lock_guard<std::mutex> admin(admin_mu_);
  std::weak_ptr<Slot> gone;
  {
    std::shared_ptr<Slot> slot;  // released after the lock: shutdown may call back
    std::lock_guard<std::mutex> lock(mu_);
    auto it = plugins_.find(id);
    if (it == plugins_.end()) return Status::Error("unknown plugin id " + id);
    slot = std::move(it->second);
    plugins_.erase(it);
    gone = slot;
  }
  // Calls in flight hold the slot; the last one out shuts the plugin down. Waiting for it
  // means a Load() of the same file after Unload() gets a fresh instance, never the old one.
  while (!gone.expired()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return {};
}

PluginHost::RegisterResult PluginHost::Register(Slot& slot, const PluginSettings& settings) {
  std::string method(slot.registered_once ? kReconfigure : kRegister);
  slot.registered_once = true;
  LifecycleRequest request;
  request.config_yaml = settings.config_yaml;
  request.schema_version = kHostSchemaVersion;
  PluginReply reply =
      ReadReply(method, slot.library->Call(method, json::EncodeLifecycleRequest(request)));

  RegisterResult out;
  auto fail = [&](const std::string& why) {
    out.reason = "plugin " + slot.id + " " + method + " failed: " + why;
    Log(LogLevel::kWarn, slot.id, "pluginhost: " + out.reason);
    return out;
  };
  if (reply.kind == PluginReply::Kind::kError) return fail(reply.error.message);
  if (reply.kind == PluginReply::Kind::kProtocolFailure) return fail(reply.failure);
  Registration registration;
  if (!reply.result.empty()) {
    if (json::DecodeStatus s = json::DecodeRegistration(reply.result, &registration); !s) {
      return fail("decode plugin result " + method + ": " + s.message);
    }
  }
  if (registration.schema_version < 0 || registration.schema_version > kHostSchemaVersion) {
    return fail("plugin schema version " + std::to_string(registration.schema_version) +
                " is not supported");
  }
  if (!ValidRegistration(registration)) {
    out.reason = "plugin " + slot.id + " returned invalid metadata or no capabilities";
    Log(LogLevel::kWarn, slot.id, "pluginhost: " + out.reason);
    return out;
  }
  out.ok = true;
  out.registration = std::move(registration);
  return out;
}

void PluginHost::ApplyRegistration(Slot& slot, const PluginSettings& settings,
                                   RegisterResult result) {
  slot.settings = settings;
  if (slot.state == PluginState::kFused) return;  // a fuse outlives any reconfigure
  slot.reason.clear();
  slot.registration = Registration{};
  slot.schema_version = 0;
  if (!settings.enabled) {
    slot.state = PluginState::kDisabled;
  } else if (!result.ok) {
    slot.state = PluginState::kInactive;
    slot.reason = std::move(result.reason);
  } else {
    slot.state = PluginState::kActive;
    slot.registration = std::move(result.registration);
    slot.schema_version = std::max<int64_t>(slot.registration.schema_version, 1);
  }
}

std::shared_ptr<PluginHost::Slot> PluginHost::FindScheduler(PluginMetadata* metadata) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Slot* best = nullptr;
  std::shared_ptr<Slot> chosen;
  for (const auto& [id, slot] : plugins_) {  // id order: the first of equal priority wins
    if (slot->state != PluginState::kActive || !slot->registration.capabilities.scheduler) {
      continue;
    }
    if (best == nullptr || slot->settings.priority > best->settings.priority) {
      best = slot.get();
      chosen = slot;
    }
  }
  if (chosen) *metadata = chosen->registration.metadata;
  return chosen;
}

bool PluginHost::SchedulerWantsAcrossPriorities() const {
  PluginMetadata ignored;
  std::shared_ptr<Slot> slot = FindScheduler(&ignored);
  std::lock_guard<std::mutex> lock(mu_);
  return slot && slot->registration.capabilities.scheduler_across_priorities;
}

void PluginHost::Fuse(Slot& slot, std::string_view method, const std::string& failure) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (slot.state == PluginState::kFused) return;  // the first failure is the reason
    slot.state = PluginState::kFused;
    slot.reason = failure;
  }
  StringMap fields;
  fields.Set("method", std::string(method));
  Log(LogLevel::kError, slot.id, "pluginhost: plugin fused: " + failure, std::move(fields));
}

void PluginHost::FallBack(BuiltinStrategy strategy, const PickRequest& request,
                          PickOutcome* outcome) {
  outcome->builtin = strategy;
  if (std::optional<std::string> id = builtin_.Pick(strategy, request)) {
    outcome->auth_id = std::move(*id);
    return;
  }
  PluginError error;
  error.code = std::string(kErrorNoAuth);
  error.message = "no auth available";
  outcome->error = std::move(error);
}

PickOutcome PluginHost::Pick(const PickRequest& request) {
  PluginMetadata metadata;
  std::shared_ptr<Slot> slot = FindScheduler(&metadata);
  if (!slot) {
    PickOutcome outcome;
    outcome.decision = PickDecision::kNoScheduler;
    FallBack(options_.routing_strategy, request, &outcome);
    return outcome;
  }
  return AskScheduler(*slot, request, metadata);
}

PickOutcome PluginHost::AskScheduler(Slot& slot, const PickRequest& request,
                                     const PluginMetadata& plugin) {
  PickOutcome outcome;
  outcome.plugin_id = slot.id;
  outcome.reply = slot.library->Call(kPick, json::EncodePickRequest(request, plugin));
  PluginReply reply = ReadReply(kPick, outcome.reply);

  if (reply.kind == PluginReply::Kind::kProtocolFailure) {
    Fuse(slot, kPick, reply.failure);
    outcome.decision = PickDecision::kFused;
    outcome.reason = std::move(reply.failure);
    FallBack(options_.routing_strategy, request, &outcome);
    return outcome;
  }
  if (reply.kind == PluginReply::Kind::kError) {
    StringMap fields;
    fields.Set("error", reply.error.message);
    Log(LogLevel::kWarn, slot.id, "pluginhost: scheduler rejected auth pick", std::move(fields));
    outcome.decision = PickDecision::kError;
    outcome.error = std::move(reply.error);
    return outcome;
  }

  PickResult result;
  if (!reply.result.empty()) {
    if (json::DecodeStatus s = json::DecodePickResult(reply.result, &result); !s) {
      PluginError error;
      error.code = std::string(kErrorInvalidResult);
      error.message = "decode plugin result " + std::string(kPick) + ": " + s.message;
      StringMap fields;
      fields.Set("error", error.message);
      Log(LogLevel::kWarn, slot.id, "pluginhost: scheduler rejected auth pick", std::move(fields));
      outcome.decision = PickDecision::kError;
      outcome.error = std::move(error);
      return outcome;
    }
  }

  NormalizedPick normalized = NormalizePickResult(result, request.candidates);
  switch (normalized.kind) {
    case NormalizedPick::Kind::kAuth:
      outcome.decision = PickDecision::kPluginAuth;
      outcome.auth_id = std::move(normalized.auth_id);
      break;
    case NormalizedPick::Kind::kDelegate:
      outcome.decision = PickDecision::kPluginDelegate;
      FallBack(normalized.delegate, request, &outcome);
      break;
    case NormalizedPick::Kind::kUnhandled:
      outcome.decision = PickDecision::kUnhandled;
      FallBack(options_.routing_strategy, request, &outcome);
      break;
    case NormalizedPick::Kind::kInvalid:
      Log(LogLevel::kWarn, slot.id,
          "pluginhost: scheduler returned invalid response: " + normalized.reason);
      outcome.decision = PickDecision::kInvalidReply;
      outcome.reason = std::move(normalized.reason);
      FallBack(options_.routing_strategy, request, &outcome);
      break;
  }
  return outcome;
}

size_t PluginHost::DeliverUsage(const UsageRecord& record) {
  std::vector<std::shared_ptr<Slot>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, slot] : plugins_) {
      if (slot->state == PluginState::kActive && slot->registration.capabilities.usage_plugin) {
        targets.push_back(slot);
      }
    }
  }
  if (targets.empty()) return 0;
  std::string body = json::EncodeUsageRecord(record);
  for (const std::shared_ptr<Slot>& slot : targets) {
    PluginReply reply = ReadReply(kUsage, slot->library->Call(kUsage, body));
    if (reply.kind == PluginReply::Kind::kProtocolFailure) {
      Fuse(*slot, kUsage, reply.failure);
    } else if (reply.kind == PluginReply::Kind::kError) {
      StringMap fields;
      fields.Set("error", reply.error.message);
      Log(LogLevel::kDebug, slot->id, "pluginhost: usage plugin returned an error",
          std::move(fields));
    }
  }
  return targets.size();
}

std::optional<CallReply> PluginHost::Call(const std::string& id, std::string_view method,
                                          std::string_view body) {
  std::shared_ptr<Slot> slot;  // held for the call: Unload() waits for it
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = plugins_.find(id);
    if (it == plugins_.end()) return std::nullopt;
    slot = it->second;
  }
  return slot->library->Call(method, body);
}

std::optional<PluginInfo> PluginHost::Info(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = plugins_.find(id);
  if (it == plugins_.end()) return std::nullopt;
  const Slot& slot = *it->second;
  return PluginInfo{slot.id,     slot.path,         slot.settings,      slot.state,
                    slot.reason, slot.registration, slot.schema_version};
}

std::vector<PluginInfo> PluginHost::Plugins() const {
  std::vector<PluginInfo> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, slot] : plugins_) {
      out.push_back(PluginInfo{slot->id, slot->path, slot->settings, slot->state, slot->reason,
                               slot->registration, slot->schema_version});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PluginInfo& a, const PluginInfo& b) {
    return a.settings.priority > b.settings.priority;
  });
  return out;
}

std::vector<LogEntry> PluginHost::Logs() const { return log_->Snapshot(); }

}  // namespace cliproxy::host

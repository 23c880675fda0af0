#include "check/check_management.hpp"

#include <memory>
#include <vector>

#include "check/check_plugin.hpp"
#include "check/check_reply.hpp"
#include "cliproxy/host/management_router.hpp"
#include "cliproxy/json.hpp"
#include "plugin_config.hpp"

namespace cpa_sched {
namespace {

constexpr const char* kRegister = "management.register";
constexpr const char* kHandle = "management.handle";

// A management.handle reply: an ok envelope, rc 0, a decodable response with a sane status.
std::string CheckHandleReply(const cliproxy::host::CallReply& reply, int64_t* status) {
  if (reply.rc != 0) return "return code " + std::to_string(reply.rc) + ", want 0";
  CheckedEnvelope envelope;
  if (std::string problem = CheckEnvelope(reply, &envelope); !problem.empty()) return problem;
  if (!envelope.ok) {
    return "an error envelope (" + envelope.error.code + ": " + envelope.error.message +
           "): CLIProxyAPI answers the browser 502";
  }
  cliproxy::ManagementResponse response;
  if (auto s = cliproxy::json::DecodeManagementResponse(
          envelope.result.empty() ? "{}" : envelope.result, &response);
      !s) {
    return "the result does not decode as a ManagementResponse: " + s.message;
  }
  if (response.status_code != 0 && (response.status_code < 100 || response.status_code > 599)) {
    return "StatusCode " + std::to_string(response.status_code) + " is not an HTTP status";
  }
  *status = response.status_code == 0 ? 200 : response.status_code;
  return "";
}

std::string Get(const std::string& path) {
  cliproxy::ManagementRequest request;
  request.method = "GET";
  request.path = path;
  request.headers.Set("Accept", {"*/*"});
  request.query.empty_not_null = true;
  return cliproxy::json::EncodeManagementRequest(request);
}

}  // namespace

void RunManagementProbe(const CheckTarget& target, ProbeChannel& channel) {
  channel.Step("load the plugin and call cliproxy_plugin_init");
  AbiFacts abi;
  std::unique_ptr<CheckedPlugin> plugin;
  CheckedPlugin::Open(target.plugin, &abi, &plugin);
  if (!plugin) {
    channel.Finish(Verdict::kFail, abi.failure);
    return;
  }
  channel.Step("plugin.register");
  RegistrationFacts facts;
  if (std::string problem = CheckRegistrationReply(
          plugin->Call("plugin.register", LifecycleBody(target.config_yaml)), &facts);
      !problem.empty()) {
    channel.Finish(Verdict::kSkip, "the registration failed: " + problem);
    return;
  }
  if (!facts.registration.capabilities.management_api) {
    channel.Finish(Verdict::kSkip, "the registration does not declare management_api");
    return;
  }
  const std::string id = PluginIdFromPath(target.plugin);
  cliproxy::ManagementRegistrationRequest request;
  request.plugin = facts.registration.metadata;
  request.base_path = std::string(cliproxy::host::kManagementBasePath);
  request.resource_base_path = std::string(cliproxy::host::kResourceBasePath) + "/" + id;
  channel.Step(kRegister);
  const cliproxy::host::CallReply reply =
      plugin->Call(kRegister, cliproxy::json::EncodeManagementRegistrationRequest(request));
  CheckedEnvelope envelope;
  std::string problem = CheckEnvelope(reply, &envelope);
  if (problem.empty() && reply.rc != 0) problem = "return code " + std::to_string(reply.rc);
  if (problem.empty() && !envelope.ok) {
    problem = "an error envelope (" + envelope.error.code + ": " + envelope.error.message + ")";
  }
  cliproxy::ManagementRegistration registration;
  if (problem.empty()) {
    if (auto s = cliproxy::json::DecodeManagementRegistration(
            envelope.result.empty() ? "{}" : envelope.result, &registration);
        !s) {
      problem = "the result does not decode: " + s.message;
    }
  }
  if (!problem.empty()) {
    channel.Finish(Verdict::kFail, std::string(kRegister) + ": " + problem);
    return;
  }
  std::vector<std::string> failures;
  std::vector<cliproxy::host::ManagementEntry> entries;
  for (const cliproxy::ManagementRoute& r : registration.routes) {
    if (auto e = cliproxy::host::NormalizeManagementRoute(id, r)) {
      entries.push_back(*e);
    } else {
      failures.push_back("route " + r.method + " " + r.path + " is one CLIProxyAPI refuses");
    }
  }
  for (const cliproxy::ResourceRoute& r : registration.resources) {
    if (auto e = cliproxy::host::NormalizeResourceRoute(id, r)) {
      entries.push_back(*e);
    } else {
      failures.push_back("resource " + r.path + " is one CLIProxyAPI refuses");
    }
  }
  size_t gets = 0;
  for (const cliproxy::host::ManagementEntry& e : entries) {
    if (e.method != "GET") continue;
    ++gets;
    channel.Step(std::string(kHandle) + " GET " + e.path);
    int64_t status = 0;
    if (std::string p = CheckHandleReply(plugin->Call(kHandle, Get(e.path)), &status); !p.empty()) {
      failures.push_back("GET " + e.path + ": " + p);
    }
  }
  channel.Step(std::string(kHandle) + " to a path not registered");
  CheckedEnvelope unknown;
  if (std::string p =
          CheckEnvelope(plugin->Call(kHandle, Get(std::string(cliproxy::host::kResourceBasePath) +
                                                  "/" + id + "/cpa-sched-check-unknown")),
                        &unknown);
      !p.empty()) {
    failures.push_back("a path not registered: " + p);
  }
  for (const auto& [label, body] : std::vector<std::pair<std::string, std::string>>{
           {"an empty body", ""},
           {"a body that is not JSON", "{"},
           {"a Body that is not base64", R"({"Method":"GET","Body":7})"}}) {
    channel.Step(std::string(kHandle) + " with " + label);
    cliproxy::PluginError error;
    if (std::string p = CheckErrorReply(plugin->Call(kHandle, body), &error); !p.empty()) {
      failures.push_back(label + ": " + p);
    }
  }
  if (!failures.empty()) {
    channel.Finish(
        Verdict::kFail,
        failures.front() +
            (failures.size() > 1 ? " (and " + std::to_string(failures.size() - 1) + " more)" : ""));
    return;
  }
  channel.Finish(Verdict::kPass, std::to_string(registration.routes.size()) + " routes and " +
                                     std::to_string(registration.resources.size()) +
                                     " resources registered; " + std::to_string(gets) +
                                     " GETs answered; malformed bodies: error envelopes");
}

}  // namespace cpa_sched

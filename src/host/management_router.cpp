#include "cliproxy/host/management_router.hpp"

#include <algorithm>

#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::host {
namespace {

constexpr std::string_view kRegister = "management.register";
constexpr std::string_view kHandle = "management.handle";
constexpr std::string_view kLegacyPrefix = "/plugins";

bool HasAny(std::string_view s, std::string_view chars) {
  return s.find_first_of(chars) != std::string_view::npos;
}

std::string_view TrimTrailingSlashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

ManagementResponse Failed(int status, std::string_view text) {
  ManagementResponse r;
  r.status_code = status;
  r.headers.Set("Content-Type", {"text/plain; charset=utf-8"});
  r.body = std::string(text) + "\n";
  return r;
}

}  // namespace

std::optional<ManagementEntry> NormalizeManagementRoute(const std::string& plugin_id,
                                                        const ManagementRoute& route) {
  std::string method = Upper(TrimSpace(route.method));
  if (method.empty()) method = "GET";
  if (HasAny(method, " \t\r\n")) return std::nullopt;
  if (method == "GET" && !TrimSpace(route.menu).empty()) {
    ResourceRoute resource;
    resource.path = route.path;
    resource.menu = route.menu;
    resource.description = route.description;
    return NormalizeResourceRoute(plugin_id, resource);
  }
  std::string path(TrimSpace(route.path));
  if (path.empty()) return std::nullopt;
  if (path.front() != '/') path.insert(0, "/");
  const std::string base(kManagementBasePath);
  if (StartsWith(path, base + "/")) path.erase(0, base.size());
  path = std::string(TrimTrailingSlashes(path));
  if (path.empty()) return std::nullopt;
  const std::string full = base + path;
  if (HasAny(full, " \t\r\n:*")) return std::nullopt;
  ManagementEntry e;
  e.plugin_id = plugin_id;
  e.method = std::move(method);
  e.path = full;
  e.description = std::string(TrimSpace(route.description));
  return e;
}

std::optional<ManagementEntry> NormalizeResourceRoute(const std::string& plugin_id,
                                                      const ResourceRoute& route) {
  const std::string_view id = TrimSpace(plugin_id);
  if (id.empty()) return std::nullopt;
  std::string path(TrimSpace(route.path));
  if (path.empty()) return std::nullopt;
  if (path.front() != '/') path.insert(0, "/");
  if (path.find('#') != std::string::npos) return std::nullopt;
  std::string query;
  if (const size_t q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
    if (HasAny(query, " \t\r\n")) return std::nullopt;
  }
  const std::string base = std::string(kResourceBasePath) + "/" + std::string(id);
  const std::string legacy = std::string(kLegacyPrefix) + "/" + std::string(id);
  if (StartsWith(path, base + "/")) {
    path.erase(0, base.size());
  } else if (StartsWith(path, legacy + "/")) {
    path.erase(0, legacy.size());
  }
  path = std::string(TrimTrailingSlashes(path));
  if (path.empty()) return std::nullopt;
  const std::string full = base + path;
  if (HasAny(full, " \t\r\n:*") || full.find("..") != std::string::npos) return std::nullopt;
  ManagementEntry e;
  e.plugin_id = std::string(id);
  e.resource = true;
  e.method = "GET";
  e.path = full;
  e.menu = std::string(TrimSpace(route.menu));
  e.description = std::string(TrimSpace(route.description));
  e.launch = query.empty() ? full : full + "?" + query;
  return e;
}

std::vector<std::string> ManagementRouter::Rebuild() {
  std::vector<std::string> problems;
  std::vector<ManagementEntry> routes, resources;
  auto taken = [&](const ManagementEntry& e) {
    const auto& list = e.resource ? resources : routes;
    return std::any_of(list.begin(), list.end(), [&](const ManagementEntry& o) {
      return o.method == e.method && o.path == e.path;
    });
  };
  for (const PluginInfo& info : host_.Plugins()) {
    if (info.state != PluginState::kActive || !info.registration.capabilities.management_api) {
      continue;
    }
    ManagementRegistrationRequest request;
    request.plugin = info.registration.metadata;
    request.base_path = std::string(kManagementBasePath);
    request.resource_base_path = std::string(kResourceBasePath) + "/" + info.id;
    std::optional<CallReply> call =
        host_.Call(info.id, kRegister, json::EncodeManagementRegistrationRequest(request));
    if (!call) continue;  // unloaded meanwhile
    PluginReply reply = ReadReply(kRegister, *call);
    ManagementRegistration registration;
    if (reply.kind == PluginReply::Kind::kProtocolFailure) {
      problems.push_back("plugin " + info.id + ": " + reply.failure);
      continue;
    }
    if (reply.kind == PluginReply::Kind::kError) {
      problems.push_back("plugin " + info.id +
                         ": management registrar failed: " + reply.error.message);
      continue;
    }
    if (json::DecodeStatus s = json::DecodeManagementRegistration(
            reply.result.empty() ? "{}" : reply.result, &registration);
        !s) {
      problems.push_back("plugin " + info.id + ": decode plugin result " + std::string(kRegister) +
                         ": " + s.message);
      continue;
    }
    auto add = [&](std::optional<ManagementEntry> e, const std::string& what) {
      if (!e) {
        problems.push_back("plugin " + info.id + " declared invalid " + what);
        return;
      }
      if (taken(*e)) {
        problems.push_back("plugin " + info.id + " " + what + " " + e->method + " " + e->path +
                           " conflicts with an earlier one and was skipped");
        return;
      }
      (e->resource ? resources : routes).push_back(std::move(*e));
    };
    for (const ManagementRoute& r : registration.routes) {
      add(NormalizeManagementRoute(info.id, r), "management route " + r.method + " " + r.path);
    }
    for (const ResourceRoute& r : registration.resources) {
      add(NormalizeResourceRoute(info.id, r), "resource route " + r.path);
    }
  }
  routes.insert(routes.end(), std::make_move_iterator(resources.begin()),
                std::make_move_iterator(resources.end()));
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(routes);
  return problems;
}

std::vector<ManagementEntry> ManagementRouter::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

std::optional<ManagementResponse> ManagementRouter::Serve(const ManagementRequest& request) {
  const std::string method = Upper(request.method);
  std::optional<ManagementEntry> match;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const ManagementEntry& e : entries_) {
      if (e.path == request.path && (e.method == method || (e.resource && method == "HEAD"))) {
        match = e;
        break;
      }
    }
  }
  if (!match) return std::nullopt;
  ManagementRequest forwarded = request;
  if (match->resource) {
    forwarded.method = "GET";
    forwarded.body.clear();
  }
  std::optional<CallReply> call =
      host_.Call(match->plugin_id, kHandle, json::EncodeManagementRequest(forwarded));
  if (!call) return std::nullopt;
  PluginReply reply = ReadReply(kHandle, *call);
  ManagementResponse response;
  if (reply.kind != PluginReply::Kind::kResult ||
      !json::DecodeManagementResponse(reply.result.empty() ? "{}" : reply.result, &response)) {
    return Failed(502, match->resource ? "plugin resource handler failed"
                                       : "plugin management handler failed");
  }
  if (response.status_code == 0) response.status_code = 200;
  return response;
}

}  // namespace cliproxy::host

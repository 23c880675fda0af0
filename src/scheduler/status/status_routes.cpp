#include "scheduler/status/status_routes.hpp"

#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"
#include "scheduler/status/status_page.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr std::string_view kDefaultBase = "/v0/management";
constexpr std::string_view kDefaultResourceBase = "/v0/resource/plugins/scheduler";

std::string_view TrimSlashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

// An absolute path of segments made of the characters CLIProxyAPI allows in a plugin ID:
// one leading "/", no empty, "." or ".." segment. Anything else means a path we would not
// want to echo into a page; "//host/x" in particular is a protocol-relative URL, to which
// the page would send the management key.
bool SafeAbsolutePath(std::string_view s) {
  if (s.size() < 2 || s.front() != '/') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '/';
    if (!ok) return false;
  }
  std::string_view rest = s.substr(1);
  for (;;) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) return true;
    rest.remove_prefix(slash + 1);
  }
}

ManagementResponse Respond(int status, std::string_view content_type, std::string body) {
  ManagementResponse r;
  r.status_code = status;
  r.headers.Set("Content-Type", {std::string(content_type)});
  r.headers.Set("Cache-Control", {"no-store"});
  r.headers.Set("X-Content-Type-Options", {"nosniff"});
  r.headers.Set("Referrer-Policy", {"no-referrer"});
  r.body = std::move(body);
  return r;
}

ManagementResponse Problem(int status, std::string_view message) {
  std::string body = "{\"error\":";
  json::AppendQuoted(&body, message);
  body += "}";
  return Respond(status, "application/json", std::move(body));
}

}  // namespace

StatusPaths StatusPathsFor(const ManagementRegistrationRequest& request) {
  std::string_view base = TrimSlashes(TrimSpace(request.base_path));
  if (!SafeAbsolutePath(base)) base = kDefaultBase;
  std::string_view resources = TrimSlashes(TrimSpace(request.resource_base_path));
  if (!SafeAbsolutePath(resources)) resources = kDefaultResourceBase;
  std::string_view id = resources.substr(resources.rfind('/') + 1);
  if (id.empty()) id = "scheduler";
  StatusPaths paths;
  paths.json = std::string(base) + "/plugins/" + std::string(id) + "/status";
  paths.page = std::string(resources) + "/status";
  return paths;
}

ManagementRegistration StatusRegistration(const StatusPaths& paths) {
  ManagementRegistration r;
  ManagementRoute route;
  route.method = "GET";
  route.path = paths.json;
  route.description = "Scheduler status as JSON: decisions per route and account since start";
  r.routes.push_back(route);
  ResourceRoute page;
  page.path = paths.page;
  page.menu = "Scheduler status";
  page.description = "Live view of the scheduler plugin: routes, accounts, shares, decisions";
  r.resources.push_back(page);
  return r;
}

ManagementResponse ServeStatus(const ManagementRequest& request, const StatusPaths& paths,
                               const std::function<std::string()>& render_json) {
  const std::string_view path = TrimSlashes(request.path);
  const bool json = path == paths.json;
  const bool page = path == paths.page;
  if (!json && !page) return Problem(404, "not found");
  if (!request.method.empty() && !EqualsAsciiFold(request.method, "GET") &&
      !EqualsAsciiFold(request.method, "HEAD")) {
    ManagementResponse r = Problem(405, "method not allowed");
    r.headers.Set("Allow", {"GET"});
    return r;
  }
  if (json) return Respond(200, "application/json", render_json());
  ManagementResponse r = Respond(200, "text/html; charset=utf-8", RenderStatusPage(paths.json));
  r.headers.Set("Content-Security-Policy",
                {"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                 "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"});
  return r;
}

}  // namespace cliproxy::scheduler

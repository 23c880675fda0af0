// cliproxy/host/management_router.hpp -- serve plugins' management routes and resources
// (capability management_api, WIRE.md §7) as CLIProxyAPI does.
//
// Rebuild() asks every active plugin that declared management_api, in the order the host
// consults plugins (priority descending, id ascending), `management.register` with
// {"Plugin":<its metadata>,"BasePath":"/v0/management",
//  "ResourceBasePath":"/v0/resource/plugins/<id>"}, and keeps the answer normalized as
// CLIProxyAPI's pluginhost does:
//   - a route: method upper-cased (empty: GET), path made absolute under /v0/management
//     (a path already under it is kept), trailing slashes dropped; refused when empty or
//     holding white space, ':' or '*'. A GET route with a Menu is a resource instead.
//   - a resource (always GET): path made absolute under /v0/resource/plugins/<id> (a path
//     already under it, or under the legacy /plugins/<id>, is kept), a query kept for the
//     menu link only; refused when empty or holding white space, ':', '*', '..' or '#'.
//   - the first plugin to claim a method and path keeps it; later claims are skipped.
// Every refusal and failed registration is returned by Rebuild() (names and paths only).
//
// Serve() dispatches one HTTP request by exact method and path: a management route for
// any method, a resource for GET (CLIProxyAPI authenticates the first and not the second;
// this router authenticates neither: its callers serve loopback only). The plugin gets
// `management.handle` with the request (a resource gets no body) and its answer is the
// response (StatusCode 0 is 200). A plugin error, or an answer that does not decode, is a
// 502 "plugin management handler failed", as in CLIProxyAPI.
//
// Thread-safety: every method may be called concurrently; plugin calls run without the
// router's lock held.
#ifndef CLIPROXY_HOST_MANAGEMENT_ROUTER_HPP_
#define CLIPROXY_HOST_MANAGEMENT_ROUTER_HPP_

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::host {

inline constexpr std::string_view kManagementBasePath = "/v0/management";
inline constexpr std::string_view kResourceBasePath = "/v0/resource/plugins";

struct ManagementEntry {
  std::string plugin_id;
  bool resource = false;  // a browser-navigable resource (GET, menu) rather than an API route
  std::string method;     // upper case
  std::string path;       // absolute, exact
  std::string menu;       // resources: the menu label (may be empty)
  std::string description;
  std::string launch;  // resources: `path` with the registered query, for links
};

// CLIProxyAPI's normalization of one route or resource of plugin `plugin_id`; nullopt when
// it is refused.
std::optional<ManagementEntry> NormalizeManagementRoute(const std::string& plugin_id,
                                                        const ManagementRoute& route);
std::optional<ManagementEntry> NormalizeResourceRoute(const std::string& plugin_id,
                                                      const ResourceRoute& route);

class ManagementRouter {
 public:
  // `host` must outlive the router.
  explicit ManagementRouter(PluginHost& host) : host_(host) {}

  // Rebuilds the table; returns what was refused or failed, one line each.
  std::vector<std::string> Rebuild();
  // The table, routes then resources, each in registration order.
  std::vector<ManagementEntry> Entries() const;
  // The response to `request`, or nullopt when no route or resource matches.
  std::optional<ManagementResponse> Serve(const ManagementRequest& request);

 private:
  PluginHost& host_;
  mutable std::mutex mu_;
  std::vector<ManagementEntry> entries_;  // guarded by mu_
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_MANAGEMENT_ROUTER_HPP_

// Where the status page lives under the host's management API, and how one request to it
// is answered (management.register / management.handle of scheduler.so).
//
// Two paths, both derived from what the host says at management.register:
//   JSON  GET <BasePath>/plugins/<id>/status   a Management API route: behind the
//                                              management key (status_json.hpp)
//   page  GET <ResourceBasePath>/status        a resource, in the management UI's menu
//                                              ("Scheduler status"; status_page.hpp)
// where <id> is the plugin's ID (the last segment of ResourceBasePath; "scheduler" before
// any registration). Any other path answers 404, another method 405: the host shows the
// plugin's reply as it is, so an error envelope would only become a 502.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_ROUTES_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_ROUTES_HPP_

#include <functional>
#include <string>

#include "cliproxy/types.hpp"

namespace cliproxy::scheduler {

struct StatusPaths {
  std::string json = "/v0/management/plugins/scheduler/status";
  std::string page = "/v0/resource/plugins/scheduler/status";
};

StatusPaths StatusPathsFor(const ManagementRegistrationRequest& request);
ManagementRegistration StatusRegistration(const StatusPaths& paths);

// Answers `request`; `render_json` makes the JSON document when it is asked for.
ManagementResponse ServeStatus(const ManagementRequest& request, const StatusPaths& paths,
                               const std::function<std::string()>& render_json);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_ROUTES_HPP_

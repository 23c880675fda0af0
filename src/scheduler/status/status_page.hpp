// The status page: one self-contained HTML document (no external scripts, styles or fonts)
// that fetches the JSON document (status_json.hpp) from `json_path` and renders it: the
// counters since start, a chart of decisions over the last ten minutes, and a table per
// route with a bar per account's share (and quota windows, when known). It refreshes
// itself every 5 seconds.
//
// The document carries no data: CLIProxyAPI serves resources without authentication,
// while the JSON route sits behind the management key. The page sends the key the
// CLIProxyAPI management panel keeps in this browser (same origin), else one the operator
// types (kept in this tab's sessionStorage only); it never shows the key. Every value from
// the JSON is inserted as text, never as markup.
#ifndef CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_PAGE_HPP_
#define CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_PAGE_HPP_

#include <string>
#include <string_view>

namespace cliproxy::scheduler {

std::string RenderStatusPage(std::string_view json_path);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_STATUS_STATUS_PAGE_HPP_

// MetadataWatch: whether the host sends the request metadata keys that routes match on.
//
// A route that matches on a metadata key the host never sends never matches, and its
// picks fall through to the next route and then to `no_route` (by default the host's own
// strategy): CLIProxyAPI before v7.2 sends no `caller_scope`, so tenant routes on it are
// silently off (issue 10). The watch looks at the first kPicks picks; if a watched key was
// in none of them it reports, once, which keys are missing, which routes use them and
// which keys the host does send. Key names only, never values: values such as
// `caller_scope` are derived from the clients' API keys.
//
// A Policy whose routes watch the same keys as its predecessor's adopts its watch, so the
// report is made once per proxy, not once per reconfigure (CLIProxyAPI sends five at start).
//
// Thread-safety: Observe() may be called concurrently. After the first kPicks picks it
// costs one atomic load.
#ifndef CLIPROXY_SRC_SCHEDULER_METADATA_WATCH_HPP_
#define CLIPROXY_SRC_SCHEDULER_METADATA_WATCH_HPP_

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::scheduler {

class MetadataWatch {
 public:
  static constexpr int kPicks = 10;
  // At most this many key names the host sent are remembered (and reported), each cut to
  // kMaxKeyLength bytes: the report's size does not depend on the host.
  static constexpr size_t kMaxSentKeys = 32;
  static constexpr size_t kMaxKeyLength = 64;

  struct Report {
    std::string message;
    std::vector<std::string> missing;  // watched keys the host never sent
    std::vector<std::string> sent;     // keys it did send (non-null values), sorted
  };

  // `routes_by_key`: each watched key and the routes ("routes[0] acme") that match on it.
  // `no_route` says what becomes of the picks those routes do not decide ("the host's own
  // strategy picks", "they fail with no_route"), for the report.
  MetadataWatch(std::map<std::string, std::vector<std::string>> routes_by_key,
                std::string no_route);

  // Counts one pick; returns the report once, at the kPicks-th pick, if a watched key was
  // sent (with a non-null value) in none of the first kPicks picks.
  std::optional<Report> Observe(const PickRequest& request);

  const std::map<std::string, std::vector<std::string>>& routes_by_key() const {
    return routes_by_key_;
  }

 private:
  const std::map<std::string, std::vector<std::string>> routes_by_key_;
  const std::string no_route_;
  std::atomic<int> picks_{0};  // picks counted, up to kPicks
  std::mutex mutex_;
  std::set<std::string> sent_;  // guarded by mutex_
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_METADATA_WATCH_HPP_

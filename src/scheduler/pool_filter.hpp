// PoolFilter: a route's `pool`, compiled: which of the offered candidates the route may
// choose from. Every filter given must hold; a route without `pool` may use every
// candidate.
//
//   ids         globs, any of, against the candidate's ID (case-sensitive)
//   attributes  name -> globs: the candidate has the attribute and its value matches one
//               of the globs ("*" = has the attribute)
//   statuses    globs, any of, against the candidate's Status (ASCII case-insensitive)
//
// Thread-safety: immutable after construction.
#ifndef CLIPROXY_SRC_SCHEDULER_POOL_FILTER_HPP_
#define CLIPROXY_SRC_SCHEDULER_POOL_FILTER_HPP_

#include <string>
#include <vector>

#include "base/glob.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/route_config.hpp"

namespace cliproxy::scheduler {

class PoolFilter {
 public:
  // Throws ConfigError naming the key of a bad glob.
  static PoolFilter Compile(const RouteConfig& route);

  // True when there is nothing to filter: every candidate is in the pool.
  bool accepts_all() const { return accepts_all_; }
  bool Accepts(const Candidate& candidate) const;
  void AddFields(json::PickFields* fields) const;

 private:
  struct Attribute {
    std::string key;
    GlobList globs;
  };

  GlobList ids_;
  std::vector<Attribute> attributes_;
  GlobList statuses_;
  bool accepts_all_ = true;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_POOL_FILTER_HPP_

// RouteCondition: a route's `when`, compiled. Every condition given must hold; a route
// without `when` (or with an empty one) matches every pick.
//
//   models     globs, any of, against the request's Model (case-sensitive)
//   providers  globs, any of, against the request's Provider or any of its Providers
//              (ASCII case-insensitive; the host lower-cases providers)
//   headers    name -> globs: some header of that name (case-insensitive) has a value
//              matching one of the globs; "*" means the header is present
//   metadata   key -> globs: Options.Metadata[key] is present (not null) and its value
//              matches; strings match as they are, other values by their JSON text
//              (true, 42)
//   stream     the request's Stream flag equals it
//
// Thread-safety: immutable after construction.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_CONDITION_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_CONDITION_HPP_

#include <optional>
#include <string>
#include <vector>

#include "base/glob.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/route_config.hpp"

namespace cliproxy::scheduler {

class RouteCondition {
 public:
  // Throws ConfigError naming the key of a bad glob.
  static RouteCondition Compile(const RouteConfig& route);

  bool Matches(const PickRequest& request) const;
  void AddFields(json::PickFields* fields) const;

 private:
  struct Keyed {
    std::string key;
    GlobList globs;
  };

  bool HeadersMatch(const HeaderMap& headers) const;
  bool MetadataMatch(const AnyMap& metadata) const;

  GlobList models_;
  GlobList providers_;
  std::vector<Keyed> headers_;
  std::vector<Keyed> metadata_;
  std::optional<bool> stream_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_CONDITION_HPP_

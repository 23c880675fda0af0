// RouteConfig: one entry of `routes:` as the operator wrote it (docs/configuration.md is
// the reference). Parsing checks shapes and types only (a string where a string belongs,
// no unknown keys); what the values mean (known strategy, valid glob, duration) is
// checked when the Policy compiles the route into a Route, which names the same path and
// position in its errors.
//
// Thread-safety: a plain value.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cliproxy::scheduler {

class YamlReader;

// A key with globs for its value, e.g. `X-Tenant: "team-a"` or `plan_type: ["max*", "pro"]`.
struct KeyGlobs {
  std::string key;
  std::vector<std::string> globs;  // any of
};

// `weights:` entry: a glob over candidate IDs and the weight of the accounts it matches.
struct WeightRule {
  std::string glob;
  double weight = 1;
};

struct RouteConfig {
  // The path of this route in the configuration, e.g. "routes[2]" (for messages).
  std::string path;
  std::string name;

  struct When {
    std::vector<std::string> models;
    std::vector<std::string> providers;
    std::vector<KeyGlobs> headers;
    std::vector<KeyGlobs> metadata;
    std::optional<bool> stream;
  } when;

  struct Pool {
    std::vector<std::string> ids;
    std::vector<KeyGlobs> attributes;
    std::vector<std::string> statuses;
    std::string tiers;  // highest | all; empty: the default
  } pool;

  std::string strategy;  // empty: the default strategy
  std::vector<std::string> order;
  std::vector<WeightRule> weights;  // in document order: the first matching glob wins
  std::optional<std::string> weight_attribute;

  struct Session {
    std::optional<std::vector<std::string>> headers;
    std::optional<std::vector<std::string>> metadata;
    std::optional<std::string> ttl;  // as written; a bare number is seconds
    std::optional<int64_t> max_sessions;
    std::string fallback;  // empty: the default
    std::optional<bool> return_home;
  } session;

  struct Usage {                        // least-used
    std::string measure;                // empty: the default
    std::optional<std::string> window;  // as written; a bare number is seconds
    std::optional<int64_t> limit;
  } usage;

  struct Latency {        // fastest
    std::string measure;  // empty: the default
    std::optional<std::string> half_life;
    std::optional<double> explore;
    std::optional<std::string> failure_penalty;
  } latency;

  std::string delegate;

  struct Error {
    std::optional<int64_t> status;
    std::optional<std::string> code;
    std::optional<std::string> message;
  } error;

  std::string when_empty;  // empty: the default

  // Where each key was written, by its path relative to the route ("strategy",
  // "session.ttl", "when.headers.X-Tenant"): "line L, column C". A key that is present
  // here was written by the operator, even if its value is null.
  std::map<std::string, std::string> positions;

  bool Has(const std::string& key) const { return positions.count(key) != 0; }
  // "routes[2].strategy: line 7, column 15" (or without the position when unknown).
  std::string Where(const std::string& key) const;
};

// Decodes one `routes[i]` item. Throws ConfigError naming the path and position of a
// shape or type error, or of a key this version does not know (a typo in a route would
// otherwise silently change what the route does).
RouteConfig ParseRouteConfig(const YamlReader& item);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

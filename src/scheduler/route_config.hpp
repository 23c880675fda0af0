// RouteConfig: one entry of `routes:` as the operator wrote it (docs/configuration.md is
// the reference): the keys every route has, and the keys strategies own as their parsers
// (found in the strategy registry) read them. Parsing checks shapes and types only (a string where
// a string belongs, no unknown keys); what the values mean (known strategy, valid glob, duration)
// is checked when the Policy compiles the route into a Route, which names the same path and
// position in its errors.
//
// Thread-safety: a plain value.
#ifndef CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_
#define CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {

// A key with globs for its value, e.g. `X-Tenant: "team-a"` or `plan_type: ["max*", "pro"]`.
struct KeyGlobs {
  std::string key;
  std::vector<std::string> globs;  // any of
};

// The parsed value of a route key that a strategy owns (`session`, `usage`, `weights`, ...):
// each strategy's folder defines its own (see StrategyKey in strategy_registry.hpp).
class KeyConfig {
 public:
  virtual ~KeyConfig() = default;
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
    std::string tiers;                     // highest | all; empty: the default
    std::optional<int64_t> max_in_flight;  // unset: no cap
  } pool;

  std::string strategy;  // empty: the default strategy

  // The keys strategies own, by name, as their owners parsed them; a key not written is
  // absent.
  std::map<std::string, std::shared_ptr<const KeyConfig>, std::less<>> strategy_keys;

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
  // Records where `key` (relative to the route) was written: for parsers of strategy keys.
  void Record(const std::string& key, const YamlReader& value);
  // The strategy key `key` as parsed into T, or a default T when it is not written.
  template <class T>
  const T& Key(std::string_view key) const {
    static const T kUnset{};
    auto it = strategy_keys.find(key);
    return it == strategy_keys.end() ? kUnset : static_cast<const T&>(*it->second);
  }
  // "routes[2].strategy: line 7, column 15" (or without the position when unknown).
  std::string Where(const std::string& key) const;
};

// Reads `value`, the mapping of the route key `block` ("session"), by a table of its keys
// (YamlReader::ReadKeys, whose message names an unknown key "in `<block>`"), recording in
// `route` where each key was written ("session.ttl").
void ReadRouteBlock(RouteConfig& route, std::string_view block, const YamlReader& value,
                    std::vector<YamlReader::KeyRule> rules);

// Decodes one `routes[i]` item. Throws ConfigError naming the path and position of a
// shape or type error, or of a key this version does not know (a typo in a route would
// otherwise silently change what the route does).
RouteConfig ParseRouteConfig(const YamlReader& item);

// Decodes the top-level `no_route:` block ({action, error}) into a RouteConfig whose path
// and name are "no_route", whose `strategy` holds `action` and whose `error` holds `error`,
// so that its errors name "no_route.action" and "no_route.error.status" with their
// positions. Throws ConfigError on a shape or type error or an unknown key.
RouteConfig ParseNoRouteConfig(const YamlReader& block);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_ROUTE_CONFIG_HPP_

#include "scheduler/route_config.hpp"

#include "base/yaml_reader.hpp"
#include "scheduler/key_rules.hpp"
#include "scheduler/strategy_registry.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Position(const YamlReader& value) {
  const YAML::Mark mark = value.node().Mark();
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// `when.headers`, `pool.attributes`, ...: a mapping of keys to globs, recorded under `rel`.
std::vector<KeyGlobs> ReadKeyGlobs(RouteConfig& route, const std::string& rel,
                                   const YamlReader& map) {
  std::vector<KeyGlobs> out;
  map.ForEach([&](const std::string& key, const YamlReader& value) {
    route.Record(rel + "." + key, value);
    if (value.IsNull()) value.Fail("expected a glob or a list of globs, got null");
    if (value.IsMap()) value.Fail("expected a glob or a list of globs, got " + value.Describe());
    out.push_back({key, value.Strings()});
  });
  return out;
}

void ReadWhen(RouteConfig& route, const YamlReader& value) {
  RouteConfig::When& w = route.when;
  ReadRouteBlock(
      route, "when", value,
      {
          {"models", Into(&w.models)},
          {"providers", Into(&w.providers)},
          {"headers",
           [&](const YamlReader& v) { w.headers = ReadKeyGlobs(route, "when.headers", v); }},
          {"metadata",
           [&](const YamlReader& v) { w.metadata = ReadKeyGlobs(route, "when.metadata", v); }},
          {"stream", Into(&w.stream)},
      });
}

void ReadPool(RouteConfig& route, const YamlReader& value) {
  RouteConfig::Pool& p = route.pool;
  ReadRouteBlock(
      route, "pool", value,
      {
          {"ids", Into(&p.ids)},
          {"attributes",
           [&](const YamlReader& v) { p.attributes = ReadKeyGlobs(route, "pool.attributes", v); }},
          {"statuses", Into(&p.statuses)},
          {"tiers", Into(&p.tiers)},
          {"max_in_flight", Into(&p.max_in_flight)},
      });
}

void ReadError(RouteConfig& route, const YamlReader& value) {
  RouteConfig::Error& e = route.error;
  ReadRouteBlock(route, "error", value,
                 {
                     {"status", Into(&e.status)},
                     {"code", Into(&e.code)},
                     {"message", Into(&e.message)},
                 });
}

}  // namespace

void RouteConfig::Record(const std::string& key, const YamlReader& value) {
  positions[key] = Position(value);
}

void ReadRouteBlock(RouteConfig& route, std::string_view block, const YamlReader& value,
                    std::vector<YamlReader::KeyRule> rules) {
  for (YamlReader::KeyRule& rule : rules) {
    rule.read = [&route, rel = std::string(block) + "." + std::string(rule.key),
                 read = std::move(rule.read)](const YamlReader& v) {
      route.Record(rel, v);
      read(v);
    };
  }
  value.ReadKeys(block, rules);
}

std::string RouteConfig::Where(const std::string& key) const {
  std::string where = path.empty() ? key : (key.empty() ? path : path + "." + key);
  auto it = positions.find(key);
  if (it != positions.end() && !it->second.empty()) where += ": " + it->second;
  return where;
}

RouteConfig ParseRouteConfig(const YamlReader& item) {
  RouteConfig route;
  route.path = item.path();
  route.positions[""] = Position(item);
  if (!item.IsMap()) item.Fail("a route must be a mapping, got " + item.Describe());
  item.ForEach([&](const std::string& key, const YamlReader& value) {
    route.Record(key, value);
    if (key == "name") {
      route.name = value.String();
    } else if (key == "when") {
      ReadWhen(route, value);
    } else if (key == "pool") {
      ReadPool(route, value);
    } else if (key == "strategy") {
      route.strategy = value.String();
    } else if (key == "error") {
      ReadError(route, value);
    } else if (key == "when_empty") {
      route.when_empty = value.String();
    } else if (const StrategyKey* owned = FindStrategyKey(key)) {
      route.strategy_keys[key] = owned->parse(value, route);
    } else {
      value.Fail("unknown route key `" + key + "` (known: name, when, pool, strategy, " +
                 StrategyKeyNames() + ", error, when_empty)");
    }
  });
  if (route.name.empty()) item.Fail("a route needs a `name`");
  return route;
}

RouteConfig ParseNoRouteConfig(const YamlReader& block) {
  RouteConfig route;
  route.path = "no_route";
  route.name = "no_route";
  route.positions[""] = Position(block);
  if (!block.IsMap() && !block.IsNull()) {
    block.Fail("`no_route` must be a mapping ({action, error}), got " + block.Describe());
  }
  block.ForEach([&](const std::string& key, const YamlReader& value) {
    route.Record(key, value);
    if (key == "action") {
      route.strategy = value.String();
    } else if (key == "error") {
      ReadError(route, value);
    } else {
      value.Fail("unknown key `" + key + "` in `no_route` (known: action, error)");
    }
  });
  return route;
}

}  // namespace cliproxy::scheduler

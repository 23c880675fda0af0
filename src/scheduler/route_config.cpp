#include "scheduler/route_config.hpp"

#include "scheduler/strategy_registry.hpp"
#include "scheduler/yaml_reader.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Position(const YamlReader& value) {
  const YAML::Mark mark = value.node().Mark();
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// Reads route-relative keys while recording where each was written.
class RouteReader {
 public:
  explicit RouteReader(RouteConfig* route) : route_(route) {}

  void Record(const std::string& rel, const YamlReader& value) { route_->Record(rel, value); }

  std::vector<KeyGlobs> ReadKeyGlobs(const std::string& rel, const YamlReader& map) {
    std::vector<KeyGlobs> out;
    map.ForEach([&](const std::string& key, const YamlReader& value) {
      Record(rel + "." + key, value);
      if (value.IsNull()) value.Fail("expected a glob or a list of globs, got null");
      if (value.IsMap()) value.Fail("expected a glob or a list of globs, got " + value.Describe());
      out.push_back({key, value.Strings()});
    });
    return out;
  }

  void ReadWhen(const YamlReader& when) {
    RouteConfig::When& w = route_->when;
    when.ForEach([&](const std::string& key, const YamlReader& value) {
      const std::string rel = "when." + key;
      Record(rel, value);
      if (key == "models") {
        w.models = value.Strings();
      } else if (key == "providers") {
        w.providers = value.Strings();
      } else if (key == "headers") {
        w.headers = ReadKeyGlobs(rel, value);
      } else if (key == "metadata") {
        w.metadata = ReadKeyGlobs(rel, value);
      } else if (key == "stream") {
        if (!value.IsNull()) w.stream = value.Bool();
      } else {
        value.Fail("unknown key `" + key +
                   "` in `when` (known: models, providers, headers, metadata, stream)");
      }
    });
  }

  void ReadPool(const YamlReader& pool) {
    RouteConfig::Pool& p = route_->pool;
    pool.ForEach([&](const std::string& key, const YamlReader& value) {
      const std::string rel = "pool." + key;
      Record(rel, value);
      if (key == "ids") {
        p.ids = value.Strings();
      } else if (key == "attributes") {
        p.attributes = ReadKeyGlobs(rel, value);
      } else if (key == "statuses") {
        p.statuses = value.Strings();
      } else if (key == "tiers") {
        p.tiers = value.String();
      } else {
        value.Fail("unknown key `" + key + "` in `pool` (known: ids, attributes, statuses, tiers)");
      }
    });
  }

  void ReadError(const YamlReader& error) {
    RouteConfig::Error& e = route_->error;
    error.ForEach([&](const std::string& key, const YamlReader& value) {
      Record("error." + key, value);
      if (key == "status") {
        if (!value.IsNull()) e.status = value.Int();
      } else if (key == "code") {
        if (!value.IsNull()) e.code = value.String();
      } else if (key == "message") {
        if (!value.IsNull()) e.message = value.String();
      } else {
        value.Fail("unknown key `" + key + "` in `error` (known: status, code, message)");
      }
    });
  }

 private:
  RouteConfig* route_;
};

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
  RouteReader reader(&route);
  item.ForEach([&](const std::string& key, const YamlReader& value) {
    reader.Record(key, value);
    if (key == "name") {
      route.name = value.String();
    } else if (key == "when") {
      reader.ReadWhen(value);
    } else if (key == "pool") {
      reader.ReadPool(value);
    } else if (key == "strategy") {
      route.strategy = value.String();
    } else if (key == "error") {
      reader.ReadError(value);
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

}  // namespace cliproxy::scheduler

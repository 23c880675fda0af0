#include "scheduler/route_config.hpp"

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

  void Record(const std::string& rel, const YamlReader& value) {
    route_->positions[rel] = Position(value);
  }

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

  void ReadSession(const YamlReader& session) {
    RouteConfig::Session& s = route_->session;
    session.ForEach([&](const std::string& key, const YamlReader& value) {
      Record("session." + key, value);
      if (key == "headers") {
        s.headers = value.Strings();
      } else if (key == "metadata") {
        s.metadata = value.Strings();
      } else if (key == "ttl") {
        if (!value.IsNull()) s.ttl = value.String();
      } else if (key == "max_sessions") {
        if (!value.IsNull()) s.max_sessions = value.Int();
      } else if (key == "fallback") {
        s.fallback = value.String();
      } else if (key == "return_home") {
        if (!value.IsNull()) s.return_home = value.Bool();
      } else {
        value.Fail("unknown key `" + key +
                   "` in `session` (known: headers, metadata, ttl, max_sessions, fallback, "
                   "return_home)");
      }
    });
  }

  void ReadUsage(const YamlReader& usage) {
    RouteConfig::Usage& u = route_->usage;
    usage.ForEach([&](const std::string& key, const YamlReader& value) {
      Record("usage." + key, value);
      if (key == "measure") {
        u.measure = value.String();
      } else if (key == "window") {
        if (!value.IsNull()) u.window = value.String();
      } else if (key == "limit") {
        if (!value.IsNull()) u.limit = value.Int();
      } else {
        value.Fail("unknown key `" + key + "` in `usage` (known: measure, window, limit)");
      }
    });
  }

  void ReadLatency(const YamlReader& latency) {
    RouteConfig::Latency& l = route_->latency;
    latency.ForEach([&](const std::string& key, const YamlReader& value) {
      Record("latency." + key, value);
      if (key == "measure") {
        l.measure = value.String();
      } else if (key == "half_life") {
        if (!value.IsNull()) l.half_life = value.String();
      } else if (key == "explore") {
        if (!value.IsNull()) l.explore = value.Number();
      } else if (key == "failure_penalty") {
        if (!value.IsNull()) l.failure_penalty = value.String();
      } else {
        value.Fail("unknown key `" + key +
                   "` in `latency` (known: measure, half_life, explore, failure_penalty)");
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

  void ReadWeights(const YamlReader& weights) {
    weights.ForEach([&](const std::string& key, const YamlReader& value) {
      Record("weights." + key, value);
      route_->weights.push_back({key, value.Number()});
    });
  }

 private:
  RouteConfig* route_;
};

}  // namespace

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
    } else if (key == "order") {
      route.order = value.Strings();
    } else if (key == "weights") {
      reader.ReadWeights(value);
    } else if (key == "weight_attribute") {
      if (!value.IsNull()) route.weight_attribute = value.String();
    } else if (key == "session") {
      reader.ReadSession(value);
    } else if (key == "usage") {
      reader.ReadUsage(value);
    } else if (key == "latency") {
      reader.ReadLatency(value);
    } else if (key == "delegate") {
      route.delegate = value.String();
    } else if (key == "error") {
      reader.ReadError(value);
    } else if (key == "when_empty") {
      route.when_empty = value.String();
    } else {
      value.Fail("unknown route key `" + key +
                 "` (known: name, when, pool, strategy, order, weights, weight_attribute, "
                 "session, usage, latency, delegate, error, when_empty)");
    }
  });
  if (route.name.empty()) item.Fail("a route needs a `name`");
  return route;
}

}  // namespace cliproxy::scheduler

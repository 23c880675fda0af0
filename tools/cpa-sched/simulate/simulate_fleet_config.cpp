#include "simulate/simulate_fleet_config.hpp"

#include <yaml-cpp/yaml.h>

#include "base/duration.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::Status;

constexpr int64_t kDefaultIntervalNs = 250'000'000;  // the Redis store's default

Status Parse(const std::string& yaml, YAML::Node* root) {
  try {
    *root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Status::Error("the configuration is not YAML: " + std::string(e.what()));
  }
  if (root->IsNull()) *root = YAML::Node(YAML::NodeType::Map);
  if (!root->IsMap()) return Status::Error("the configuration is not a YAML mapping");
  YAML::Node state = (*root)["state"];
  if (state.IsDefined() && !state.IsNull() && !state.IsMap()) {
    return Status::Error("the configuration's `state` is not a mapping");
  }
  return {};
}

std::string Scalar(const YAML::Node& node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : "";
}

std::optional<FleetBudget> FirstBudget(const YAML::Node& routes) {
  if (!routes.IsSequence()) return std::nullopt;
  for (const YAML::Node& route : routes) {
    if (!route.IsMap() || Scalar(route["strategy"]) != "least-used") continue;
    const YAML::Node usage = route["usage"];
    if (!usage.IsMap() || !usage["limit"].IsScalar()) continue;
    FleetBudget b;
    try {
      b.limit = usage["limit"].as<int64_t>();
    } catch (const YAML::Exception&) {
      continue;  // the plugin says what it thinks of it
    }
    if (b.limit <= 0) continue;
    b.route = Scalar(route["name"]);
    if (!Scalar(usage["measure"]).empty()) b.measure = Scalar(usage["measure"]);
    b.window = Scalar(usage["window"]);
    return b;
  }
  return std::nullopt;
}

}  // namespace

Status ReadFleetConfig(const std::string& yaml, FleetConfig* out) {
  *out = FleetConfig{};
  YAML::Node root;
  if (Status s = Parse(yaml, &root); !s) return s;
  const YAML::Node state = root["state"];
  out->store = state.IsMap() && !Scalar(state["store"]).empty() ? Scalar(state["store"]) : "memory";
  out->interval_ns = kDefaultIntervalNs;
  if (state.IsMap() && state["interval"].IsDefined()) {
    std::string error;
    auto d = cliproxy::scheduler::ParseDuration(Scalar(state["interval"]), &error);
    if (!d || d->count() <= 0) {
      return Status::Error("state.interval: " + (error.empty() ? "must be above 0" : error));
    }
    out->interval_ns = static_cast<int64_t>(d->count()) * 1'000'000;
  }
  out->budget = FirstBudget(root["routes"]);
  return {};
}

Status WithStateStore(const std::string& yaml, const std::string& redis_url,
                      const std::string& prefix, std::string* out) {
  YAML::Node root;
  if (Status s = Parse(yaml, &root); !s) return s;
  const YAML::Node old = root["state"];
  YAML::Node state(YAML::NodeType::Map);
  if (redis_url.empty()) {
    state["store"] = "memory";
  } else {
    state["store"] = "redis";
    state["url"] = redis_url;
    state["prefix"] = prefix;
    // The store's own thread then waits 10 minutes between exchanges: within a run only
    // the simulated exchanges (scheduler.state.sync) happen, so the result does not depend
    // on how fast the machine runs.
    state["interval"] = kStoreIdleInterval;
    if (old.IsMap() && old["secret"].IsDefined()) state["secret"] = old["secret"];
  }
  root["state"] = state;
  YAML::Emitter emitter;
  emitter << root;
  *out = std::string(emitter.c_str()) + "\n";
  return {};
}

std::string RedactRedisUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "redis://?";
  const size_t start = scheme + 3;
  size_t end = url.find('/', start);
  if (end == std::string::npos) end = url.size();
  const size_t at = url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

}  // namespace cpa_sched

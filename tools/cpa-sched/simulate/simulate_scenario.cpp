#include "simulate/simulate_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "scheduler/duration.hpp"
#include "scheduler/glob.hpp"
#include "scheduler/yaml_reader.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::Status;
using cliproxy::scheduler::ConfigError;
using cliproxy::scheduler::YamlReader;

using KeyVisitor = std::function<void(const std::string& key, const YamlReader& value)>;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Visits the keys of a mapping. A key outside `known` is an error: a typo in a scenario
// would otherwise silently simulate something else. `required` keys must be present.
void ForKeys(const YamlReader& map, std::initializer_list<std::string_view> known,
             std::initializer_list<std::string_view> required, const KeyVisitor& visit) {
  std::set<std::string> seen;
  map.ForEach([&](const std::string& key, const YamlReader& value) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      value.Fail("unknown key `" + key + "` (known: " + list + ")");
    }
    seen.insert(key);
    visit(key, value);
  });
  for (std::string_view key : required) {
    if (!seen.count(std::string(key))) map.Fail("missing required key `" + std::string(key) + "`");
  }
}

std::string Format(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

double Finite(const YamlReader& r) {
  double v = r.Number();
  if (!std::isfinite(v)) r.Fail("must be a finite number, got " + r.Describe());
  return v;
}

double Positive(const YamlReader& r) {
  double v = Finite(r);
  if (v <= 0) r.Fail("must be > 0, got " + Format(v));
  return v;
}

double Share(const YamlReader& r) {
  double v = Finite(r);
  if (v < 0 || v > 1) r.Fail("must be a share between 0 and 1, got " + Format(v));
  return v;
}

int64_t IntIn(const YamlReader& r, int64_t low, int64_t high) {
  int64_t v = r.Int();
  if (v < low || v > high) {
    r.Fail("must be an integer from " + std::to_string(low) + " to " + std::to_string(high) +
           ", got " + std::to_string(v));
  }
  return v;
}

std::string NonEmpty(const YamlReader& r) {
  std::string v = r.String();
  if (v.empty()) r.Fail("must not be empty");
  return v;
}

int64_t DurationNs(const YamlReader& r) {
  std::string error;
  std::optional<std::chrono::milliseconds> d =
      cliproxy::scheduler::ParseDuration(r.String(), &error);
  if (!d) r.Fail(error);
  return d->count() * 1'000'000;
}

void CheckGlobs(const YamlReader& r, const std::vector<std::string>& globs) {
  for (const std::string& g : globs) {
    std::string error;
    if (!cliproxy::scheduler::Glob::Compile(g, cliproxy::scheduler::CaseFold::kNone, &error)) {
      r.Fail(error);
    }
  }
}

// A number (the mean) or {mean, jitter}; every draw stays >= 0, so jitter <= mean.
Spread ReadSpread(const YamlReader& r) {
  Spread s;
  if (!r.IsMap()) {
    s.mean = Finite(r);
    if (s.mean < 0) r.Fail("must be >= 0, got " + Format(s.mean));
    return s;
  }
  ForKeys(r, {"mean", "jitter"}, {"mean"}, [&](const std::string& key, const YamlReader& v) {
    double x = Finite(v);
    if (x < 0) v.Fail("must be >= 0, got " + Format(x));
    (key == "mean" ? s.mean : s.jitter) = x;
  });
  if (s.jitter > s.mean) {
    r.Fail("jitter (" + Format(s.jitter) + ") must not exceed mean (" + Format(s.mean) + ")");
  }
  return s;
}

// CLIProxyAPI strips every attribute whose name contains one of these before a plugin
// sees it.
bool IsSecretAttribute(const std::string& key) {
  static constexpr std::string_view kSecrets[] = {
      "api_key",  "apikey",  "token",         "secret",      "cookie",   "credential",
      "password", "storage", "authorization", "auth_header", "proxy_url"};
  std::string lower = Lower(key);
  for (std::string_view s : kSecrets) {
    if (lower.find(s) != std::string::npos) return true;
  }
  return false;
}

ScenarioAccount ReadAccount(const YamlReader& r) {
  ScenarioAccount a;
  std::optional<int64_t> priority;
  std::optional<YamlReader> attribute_priority;
  ForKeys(r,
          {"id", "provider", "priority", "status", "attributes", "models", "latency_ms", "ttft_ms",
           "fail_rate", "fail_status"},
          {"id", "provider"}, [&](const std::string& key, const YamlReader& v) {
            if (key == "id") {
              a.id = NonEmpty(v);
            } else if (key == "provider") {
              a.provider = Lower(NonEmpty(v));
            } else if (key == "priority") {
              priority = v.Int();
            } else if (key == "status") {
              a.status = NonEmpty(v);
            } else if (key == "attributes") {
              v.ForEach([&](const std::string& name, const YamlReader& value) {
                if (name == "priority") attribute_priority = value;
                if (!IsSecretAttribute(name)) a.attributes.Set(name, value.String());
              });
            } else if (key == "models") {
              a.models = v.Strings();
              if (a.models.empty())
                v.Fail("must list at least one model glob (omit it: every model)");
              CheckGlobs(v, a.models);
            } else if (key == "latency_ms") {
              a.latency_ms = ReadSpread(v);
            } else if (key == "ttft_ms") {
              a.ttft_ms = ReadSpread(v);
            } else if (key == "fail_rate") {
              a.fail_rate = Share(v);
            } else if (key == "fail_status") {
              a.fail_status = IntIn(v, 100, 599);
            }
          });
  // CLIProxyAPI reads an auth's priority from its `priority` attribute.
  if (attribute_priority) {
    std::string text = attribute_priority->String();
    int64_t parsed = 0;
    try {
      size_t used = 0;
      parsed = std::stoll(text, &used);
      if (used != text.size()) parsed = 0;
    } catch (const std::exception&) {
      parsed = 0;
    }
    if (priority && *priority != parsed) {
      attribute_priority->Fail("differs from the account's priority (" + std::to_string(*priority) +
                               ")");
    }
    a.priority = parsed;
  }
  if (priority) {
    a.priority = *priority;
    a.attributes.Set("priority", std::to_string(*priority));
  }
  return a;
}

// Whether the account's `models` globs name the model (false when it has none).
bool Lists(const ScenarioAccount& account, const std::string& model) {
  for (const std::string& g : account.models) {
    std::string error;
    auto glob = cliproxy::scheduler::Glob::Compile(g, cliproxy::scheduler::CaseFold::kNone, &error);
    if (glob && glob->Matches(model)) return true;
  }
  return false;
}

ScenarioModel ReadModel(const YamlReader& r, const std::vector<ScenarioAccount>& accounts) {
  ScenarioModel m;
  bool providers_given = false;
  if (!r.IsMap()) {
    m.name = NonEmpty(r);
  } else {
    ForKeys(
        r, {"name", "weight", "providers", "input_tokens", "output_tokens"}, {"name"},
        [&](const std::string& key, const YamlReader& v) {
          if (key == "name") {
            m.name = NonEmpty(v);
          } else if (key == "weight") {
            m.weight = Positive(v);
          } else if (key == "input_tokens") {
            m.input_tokens = ReadSpread(v);
          } else if (key == "output_tokens") {
            m.output_tokens = ReadSpread(v);
          } else if (key == "providers") {
            providers_given = true;
            for (const std::string& p : v.Strings()) {
              std::string lower = Lower(p);
              if (lower.empty()) v.Fail("a provider must not be empty");
              // CLIProxyAPI drops the pseudo-provider `mixed` from a route's list.
              if (lower == "mixed") continue;
              if (std::find(m.providers.begin(), m.providers.end(), lower) == m.providers.end()) {
                m.providers.push_back(lower);
              }
            }
            if (m.providers.empty()) v.Fail("must list at least one provider");
          }
        });
  }
  if (!providers_given) {
    // The route of a model is the providers of the accounts that list it; when none lists
    // it, those of the accounts that serve every model (no `models`).
    auto add = [&](bool listed) {
      for (const ScenarioAccount& a : accounts) {
        bool serves = listed ? Lists(a, m.name) : a.models.empty();
        if (serves &&
            std::find(m.providers.begin(), m.providers.end(), a.provider) == m.providers.end()) {
          m.providers.push_back(a.provider);
        }
      }
    };
    add(true);
    if (m.providers.empty()) add(false);
    if (m.providers.empty()) {
      r.Fail("no account serves model `" + m.name + "`; give its `providers`");
    }
  }
  return m;
}

ScenarioSessions ReadSessions(const YamlReader& r) {
  ScenarioSessions s;
  ForKeys(r, {"count", "share", "length", "headers", "metadata"}, {"count"},
          [&](const std::string& key, const YamlReader& v) {
            if (key == "count") {
              s.count = IntIn(v, 0, 10'000'000);
            } else if (key == "share") {
              s.share = Share(v);
            } else if (key == "length") {
              s.length = Finite(v);
              if (s.length != 0 && s.length < 1) {
                v.Fail("must be 0 (sessions last the whole run) or at least 1, got " +
                       Format(s.length));
              }
            } else if (key == "headers") {
              s.headers = v.Strings();
              for (const std::string& h : s.headers) {
                if (h.empty()) v.Fail("a header name must not be empty");
              }
            } else if (key == "metadata") {
              s.metadata = v.Strings();
              for (const std::string& m : s.metadata) {
                if (m.empty()) v.Fail("a metadata key must not be empty");
              }
            }
          });
  return s;
}

ScenarioTenant ReadTenant(const YamlReader& r, size_t index) {
  ScenarioTenant t;
  ForKeys(r, {"name", "caller_scope", "share"}, {},
          [&](const std::string& key, const YamlReader& v) {
            if (key == "name") {
              t.name = NonEmpty(v);
            } else if (key == "caller_scope") {
              t.caller_scope = NonEmpty(v);
            } else if (key == "share") {
              t.share = Positive(v);
            }
          });
  if (t.name.empty()) {
    t.name = t.caller_scope ? t.caller_scope->substr(0, 12) : "tenant-" + std::to_string(index + 1);
  }
  return t;
}

ScenarioTraffic ReadTraffic(const YamlReader& r, const std::vector<ScenarioAccount>& accounts) {
  ScenarioTraffic t;
  ForKeys(r,
          {"requests", "rate", "arrival", "models", "stream", "sessions", "tenants", "headers",
           "metadata"},
          {"requests", "rate", "models"}, [&](const std::string& key, const YamlReader& v) {
            if (key == "requests") {
              t.requests = IntIn(v, 1, 10'000'000);
            } else if (key == "rate") {
              t.rate = Positive(v);
            } else if (key == "arrival") {
              std::string a = v.String();
              if (a == "poisson") {
                t.arrival = ArrivalProcess::kPoisson;
              } else if (a == "uniform") {
                t.arrival = ArrivalProcess::kUniform;
              } else {
                v.Fail("must be `poisson` or `uniform`, got " + v.Describe());
              }
            } else if (key == "models") {
              if (!v.IsSequence()) v.Fail("expected a sequence of models, got " + v.Describe());
              v.ForEachItem([&](size_t, const YamlReader& item) {
                t.models.push_back(ReadModel(item, accounts));
              });
              if (t.models.empty()) v.Fail("must list at least one model");
            } else if (key == "stream") {
              t.stream = Share(v);
            } else if (key == "sessions") {
              t.sessions = ReadSessions(v);
            } else if (key == "tenants") {
              std::set<std::string> names;
              v.ForEachItem([&](size_t i, const YamlReader& item) {
                t.tenants.push_back(ReadTenant(item, i));
                if (!names.insert(t.tenants.back().name).second) {
                  item.Fail("duplicate tenant name `" + t.tenants.back().name + "`");
                }
              });
            } else if (key == "headers") {
              v.ForEach([&](const std::string& name, const YamlReader& value) {
                if (name.empty()) value.Fail("a header name must not be empty");
                cliproxy::Slice<std::string> values;
                for (std::string& s : value.Strings()) values.push_back(std::move(s));
                t.headers.Set(name, std::move(values));
              });
            } else if (key == "metadata") {
              v.ForEach([&](const std::string& name, const YamlReader& value) {
                t.metadata.Set(name, cliproxy::AnyValue::String(value.String()));
              });
            }
          });
  return t;
}

ScenarioUsage ReadUsage(const YamlReader& r) {
  ScenarioUsage u;
  u.enabled = true;
  ForKeys(r, {"latency_ms", "ttft_ms", "input_tokens", "output_tokens"}, {},
          [&](const std::string& key, const YamlReader& v) {
            Spread s = ReadSpread(v);
            if (key == "latency_ms") u.latency_ms = s;
            if (key == "ttft_ms") u.ttft_ms = s;
            if (key == "input_tokens") u.input_tokens = s;
            if (key == "output_tokens") u.output_tokens = s;
          });
  return u;
}

std::vector<ScenarioEvent> ReadEvent(const YamlReader& r,
                                     const std::map<std::string, size_t>& account_index) {
  std::vector<std::string> ids;
  std::optional<YamlReader> account_key;
  ScenarioEvent e;
  std::optional<YamlReader> until_key, for_key;
  std::optional<int64_t> for_ns;
  std::optional<YamlReader> factor_key;
  ForKeys(r, {"at", "until", "for", "account", "kind", "factor"}, {"at", "account"},
          [&](const std::string& key, const YamlReader& v) {
            if (key == "at") {
              e.at_ns = DurationNs(v);
            } else if (key == "until") {
              e.until_ns = DurationNs(v);
              until_key = v;
            } else if (key == "for") {
              for_ns = DurationNs(v);
              if (*for_ns == 0) v.Fail("must be > 0");
              for_key = v;
            } else if (key == "account") {
              ids = v.Strings();
              if (ids.empty()) v.Fail("must name at least one account");
              account_key = v;
            } else if (key == "kind") {
              std::string k = v.String();
              if (k == "cooldown") {
                e.kind = EventKind::kCooldown;
              } else if (k == "disabled") {
                e.kind = EventKind::kDisabled;
              } else if (k == "slow") {
                e.kind = EventKind::kSlow;
              } else {
                v.Fail("must be `cooldown`, `disabled` or `slow`, got " + v.Describe());
              }
            } else if (key == "factor") {
              e.factor = Positive(v);
              factor_key = v;
            }
          });
  if (e.kind == EventKind::kSlow && !factor_key) r.Fail("a `slow` event needs a `factor`");
  if (e.kind != EventKind::kSlow && factor_key) {
    factor_key->Fail("only a `slow` event has a `factor`");
  }
  if (until_key && for_key) for_key->Fail("give either `until` or `for`, not both");
  if (for_ns) e.until_ns = e.at_ns + *for_ns;
  if (until_key && *e.until_ns <= e.at_ns) until_key->Fail("must be later than `at`");
  std::vector<ScenarioEvent> out;
  for (const std::string& id : ids) {
    auto it = account_index.find(id);
    if (it == account_index.end()) account_key->Fail("no account has the id `" + id + "`");
    ScenarioEvent one = e;
    one.account = it->second;
    out.push_back(one);
  }
  return out;
}

void ReadRoot(const YamlReader& root, Scenario* s) {
  std::optional<YamlReader> traffic, usage, events;
  ForKeys(
      root,
      {"name", "description", "seed", "start", "routing_strategy", "buckets", "accounts", "traffic",
       "usage", "events"},
      {}, [&](const std::string& key, const YamlReader& v) {
        if (key == "name") {
          s->name = NonEmpty(v);
        } else if (key == "description") {
          s->description = v.String();
        } else if (key == "seed") {
          s->seed = static_cast<uint64_t>(IntIn(v, 0, INT64_MAX));
        } else if (key == "start") {
          std::optional<int64_t> start = ParseRfc3339(v.String());
          if (!start) v.Fail("expected an RFC 3339 time such as 2025-01-01T00:00:00Z");
          s->start_unix_ns = *start;
        } else if (key == "routing_strategy") {
          auto strategy = cliproxy::host::ParseBuiltinStrategy(v.String());
          if (!strategy) v.Fail("must be `round-robin` or `fill-first`, got " + v.Describe());
          s->routing_strategy = *strategy;
        } else if (key == "buckets") {
          s->buckets = IntIn(v, 1, 1000);
        } else if (key == "accounts") {
          if (!v.IsSequence()) v.Fail("expected a sequence of accounts, got " + v.Describe());
          std::map<std::string, std::string> first_path;
          v.ForEachItem([&](size_t, const YamlReader& item) {
            s->accounts.push_back(ReadAccount(item));
            auto [it, inserted] = first_path.emplace(s->accounts.back().id, item.path());
            if (!inserted) {
              item.Fail("duplicate account id `" + it->first + "` (first at " + it->second + ")");
            }
          });
          if (s->accounts.empty()) v.Fail("must list at least one account");
        } else if (key == "traffic") {
          traffic = v;  // needs the accounts, which may come later in the file
        } else if (key == "usage") {
          usage = v;
        } else if (key == "events") {
          events = v;
        }
      });
  // The top level has no key path to name, so its missing keys are reported plainly.
  if (s->accounts.empty()) throw ConfigError("missing required key `accounts`");
  if (!traffic) throw ConfigError("missing required key `traffic`");
  s->traffic = ReadTraffic(*traffic, s->accounts);
  if (usage) s->usage = ReadUsage(*usage);
  s->usage.any_ttft = s->usage.ttft_ms.has_value();
  for (const ScenarioAccount& a : s->accounts) {
    if (a.ttft_ms) s->usage.any_ttft = true;
    if (a.fail_rate > 0) s->usage.any_failures = true;
    if (a.latency_ms || a.ttft_ms || a.fail_rate > 0) s->usage.enabled = true;
  }
  if (events) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < s->accounts.size(); ++i) index.emplace(s->accounts[i].id, i);
    events->ForEachItem([&](size_t, const YamlReader& item) {
      for (ScenarioEvent& e : ReadEvent(item, index)) s->events.push_back(e);
    });
  }
  // A slow account shows only in its latency, so a slow event makes the upstream report it.
  for (const ScenarioEvent& e : s->events) {
    if (e.kind == EventKind::kSlow) s->usage.enabled = true;
  }
}

}  // namespace

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kCooldown:
      return "cooldown";
    case EventKind::kDisabled:
      return "disabled";
    case EventKind::kSlow:
      return "slow";
  }
  return "?";
}

Status ParseScenario(const std::string& text, const std::string& path, Scenario* out) {
  Scenario s;
  s.path = path;
  s.start_unix_ns = *ParseRfc3339("2025-01-01T00:00:00Z");
  try {
    YAML::Node root = YamlReader::Load(text);
    if (!root.IsMap()) {
      YAML::Mark mark = root.Mark();
      std::string where = mark.is_null() ? ""
                                         : "line " + std::to_string(mark.line + 1) + ", column " +
                                               std::to_string(mark.column + 1) + ": ";
      return Status::Error(path + ": " + where + "a scenario is a mapping with `accounts` and " +
                           "`traffic` (see docs/simulate.md)");
    }
    ReadRoot(YamlReader(root, ""), &s);
  } catch (const ConfigError& e) {
    return Status::Error(path + ": " + e.what());
  } catch (const YAML::Exception& e) {
    return Status::Error(path + ": " + e.what());
  }
  if (s.name.empty()) {
    std::string stem =
        path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    s.name = stem.substr(0, stem.rfind('.'));
  }
  *out = std::move(s);
  return {};
}

Status ReadScenario(const std::string& path, Scenario* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read scenario " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseScenario(buffer.str(), path, out);
}

}  // namespace cpa_sched

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

#include "base/duration.hpp"
#include "base/glob.hpp"
#include "base/yaml_reader.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::Status;
using cliproxy::scheduler::ConfigError;
using cliproxy::scheduler::YamlReader;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
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
  auto into = [](double* x) {
    return [x](const YamlReader& v) {
      *x = Finite(v);
      if (*x < 0) v.Fail("must be >= 0, got " + Format(*x));
    };
  };
  r.ReadKeys("", {{"mean", into(&s.mean), true}, {"jitter", into(&s.jitter)}});
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

// The window names each header family has.
QuotaHeaders HeadersOf(const std::string& provider) {
  if (provider == "claude") return QuotaHeaders::kAnthropicUnified;
  if (provider == "codex") return QuotaHeaders::kCodex;
  return QuotaHeaders::kOpenAi;
}

std::vector<std::string> WindowNames(QuotaHeaders headers) {
  switch (headers) {
    case QuotaHeaders::kAnthropicUnified:
      return {"5h", "7d"};
    case QuotaHeaders::kCodex:
      return {"primary", "secondary"};
    case QuotaHeaders::kOpenAi:
      return {"requests"};
  }
  return {};
}

ScenarioWindow ReadWindow(const YamlReader& r, QuotaHeaders headers, const std::string& provider) {
  ScenarioWindow w;
  std::optional<YamlReader> used_at;
  std::optional<YamlReader> resets_at;
  r.ReadKeys("", {{"name",
                   [&](const YamlReader& v) {
                     w.name = NonEmpty(v);
                     std::vector<std::string> names = WindowNames(headers);
                     if (std::find(names.begin(), names.end(), w.name) == names.end()) {
                       std::string known;
                       for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
                       v.Fail("a " + provider + " account's upstream reports windows " + known +
                              ", not `" + w.name + "`");
                     }
                   },
                   true},
                  {"length",
                   [&](const YamlReader& v) {
                     w.length_ns = DurationNs(v);
                     if (w.length_ns <= 0) v.Fail("must be longer than 0");
                   },
                   true},
                  {"capacity",
                   [&](const YamlReader& v) { w.capacity = IntIn(v, 1, 1'000'000'000); }, true},
                  {"used",
                   [&](const YamlReader& v) {
                     used_at = v;
                     w.used = IntIn(v, 0, 1'000'000'000);
                   }},
                  {"resets_in", [&](const YamlReader& v) {
                     resets_at = v;
                     w.resets_in_ns = DurationNs(v);
                   }}});
  if (used_at && w.used > w.capacity) {
    used_at->Fail("must not exceed capacity (" + std::to_string(w.capacity) + ")");
  }
  if (!resets_at) w.resets_in_ns = w.length_ns;
  if (resets_at && (w.resets_in_ns <= 0 || w.resets_in_ns > w.length_ns)) {
    resets_at->Fail("must be after the start and at most the window's length");
  }
  return w;
}

ScenarioAccount ReadAccount(const YamlReader& r) {
  ScenarioAccount a;
  std::optional<int64_t> priority;
  std::optional<YamlReader> attribute_priority;
  std::optional<YamlReader> windows;
  r.ReadKeys("", {{"id", [&](const YamlReader& v) { a.id = NonEmpty(v); }, true},
                  {"provider", [&](const YamlReader& v) { a.provider = Lower(NonEmpty(v)); }, true},
                  {"priority", [&](const YamlReader& v) { priority = v.Int(); }},
                  {"status", [&](const YamlReader& v) { a.status = NonEmpty(v); }},
                  {"attributes",
                   [&](const YamlReader& v) {
                     v.ForEach([&](const std::string& name, const YamlReader& value) {
                       if (name == "priority") attribute_priority = value;
                       if (!IsSecretAttribute(name)) a.attributes.Set(name, value.String());
                     });
                   }},
                  {"models",
                   [&](const YamlReader& v) {
                     a.models = v.Strings();
                     if (a.models.empty())
                       v.Fail("must list at least one model glob (omit it: every model)");
                     CheckGlobs(v, a.models);
                   }},
                  {"latency_ms", [&](const YamlReader& v) { a.latency_ms = ReadSpread(v); }},
                  {"ttft_ms", [&](const YamlReader& v) { a.ttft_ms = ReadSpread(v); }},
                  {"fail_rate", [&](const YamlReader& v) { a.fail_rate = Share(v); }},
                  {"fail_status", [&](const YamlReader& v) { a.fail_status = IntIn(v, 100, 599); }},
                  {"windows", [&](const YamlReader& v) { windows = v; }}});
  // After `provider`, which says how the upstream reports its windows.
  a.quota_headers = HeadersOf(a.provider);
  if (windows) {
    windows->ForEachItem([&](size_t, const YamlReader& item) {
      ScenarioWindow w = ReadWindow(item, a.quota_headers, a.provider);
      for (const ScenarioWindow& other : a.windows) {
        if (other.name == w.name) item.Fail("a second window named `" + w.name + "`");
      }
      a.windows.push_back(std::move(w));
    });
  }
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
    r.ReadKeys(
        "",
        {{"name", [&](const YamlReader& v) { m.name = NonEmpty(v); }, true},
         {"weight", [&](const YamlReader& v) { m.weight = Positive(v); }},
         {"providers",
          [&](const YamlReader& v) {
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
          }},
         {"input_tokens", [&](const YamlReader& v) { m.input_tokens = ReadSpread(v); }},
         {"output_tokens", [&](const YamlReader& v) { m.output_tokens = ReadSpread(v); }}});
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
  r.ReadKeys("", {{"count", [&](const YamlReader& v) { s.count = IntIn(v, 0, 10'000'000); }, true},
                  {"share", [&](const YamlReader& v) { s.share = Share(v); }},
                  {"length",
                   [&](const YamlReader& v) {
                     s.length = Finite(v);
                     if (s.length != 0 && s.length < 1) {
                       v.Fail("must be 0 (sessions last the whole run) or at least 1, got " +
                              Format(s.length));
                     }
                   }},
                  {"headers",
                   [&](const YamlReader& v) {
                     s.headers = v.Strings();
                     for (const std::string& h : s.headers) {
                       if (h.empty()) v.Fail("a header name must not be empty");
                     }
                   }},
                  {"metadata", [&](const YamlReader& v) {
                     s.metadata = v.Strings();
                     for (const std::string& m : s.metadata) {
                       if (m.empty()) v.Fail("a metadata key must not be empty");
                     }
                   }}});
  return s;
}

ScenarioTenant ReadTenant(const YamlReader& r, size_t index) {
  ScenarioTenant t;
  r.ReadKeys("", {{"name", [&](const YamlReader& v) { t.name = NonEmpty(v); }},
                  {"caller_scope", [&](const YamlReader& v) { t.caller_scope = NonEmpty(v); }},
                  {"share", [&](const YamlReader& v) { t.share = Positive(v); }}});
  if (t.name.empty()) {
    t.name = t.caller_scope ? t.caller_scope->substr(0, 12) : "tenant-" + std::to_string(index + 1);
  }
  return t;
}

ScenarioTraffic ReadTraffic(const YamlReader& r, const std::vector<ScenarioAccount>& accounts) {
  ScenarioTraffic t;
  r.ReadKeys(
      "", {{"requests", [&](const YamlReader& v) { t.requests = IntIn(v, 1, 10'000'000); }, true},
           {"rate", [&](const YamlReader& v) { t.rate = Positive(v); }, true},
           {"arrival",
            [&](const YamlReader& v) {
              std::string a = v.String();
              if (a == "poisson") {
                t.arrival = ArrivalProcess::kPoisson;
              } else if (a == "uniform") {
                t.arrival = ArrivalProcess::kUniform;
              } else {
                v.Fail("must be `poisson` or `uniform`, got " + v.Describe());
              }
            }},
           {"models",
            [&](const YamlReader& v) {
              if (!v.IsSequence()) v.Fail("expected a sequence of models, got " + v.Describe());
              v.ForEachItem([&](size_t, const YamlReader& item) {
                t.models.push_back(ReadModel(item, accounts));
              });
              if (t.models.empty()) v.Fail("must list at least one model");
            },
            true},
           {"stream", [&](const YamlReader& v) { t.stream = Share(v); }},
           {"sessions", [&](const YamlReader& v) { t.sessions = ReadSessions(v); }},
           {"tenants",
            [&](const YamlReader& v) {
              std::set<std::string> names;
              v.ForEachItem([&](size_t i, const YamlReader& item) {
                t.tenants.push_back(ReadTenant(item, i));
                if (!names.insert(t.tenants.back().name).second) {
                  item.Fail("duplicate tenant name `" + t.tenants.back().name + "`");
                }
              });
            }},
           {"headers",
            [&](const YamlReader& v) {
              v.ForEach([&](const std::string& name, const YamlReader& value) {
                if (name.empty()) value.Fail("a header name must not be empty");
                cliproxy::Slice<std::string> values;
                for (std::string& s : value.Strings()) values.push_back(std::move(s));
                t.headers.Set(name, std::move(values));
              });
            }},
           {"metadata", [&](const YamlReader& v) {
              v.ForEach([&](const std::string& name, const YamlReader& value) {
                t.metadata.Set(name, cliproxy::AnyValue::String(value.String()));
              });
            }}});
  return t;
}

ScenarioUsage ReadUsage(const YamlReader& r) {
  ScenarioUsage u;
  u.enabled = true;
  auto into = [](Spread* spread) {
    return [spread](const YamlReader& v) { *spread = ReadSpread(v); };
  };
  r.ReadKeys("", {{"latency_ms", into(&u.latency_ms)},
                  {"ttft_ms", [&](const YamlReader& v) { u.ttft_ms = ReadSpread(v); }},
                  {"input_tokens", into(&u.input_tokens)},
                  {"output_tokens", into(&u.output_tokens)}});
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
  r.ReadKeys("", {{"at", [&](const YamlReader& v) { e.at_ns = DurationNs(v); }, true},
                  {"until",
                   [&](const YamlReader& v) {
                     e.until_ns = DurationNs(v);
                     until_key = v;
                   }},
                  {"for",
                   [&](const YamlReader& v) {
                     for_ns = DurationNs(v);
                     if (*for_ns == 0) v.Fail("must be > 0");
                     for_key = v;
                   }},
                  {"account",
                   [&](const YamlReader& v) {
                     ids = v.Strings();
                     if (ids.empty()) v.Fail("must name at least one account");
                     account_key = v;
                   },
                   true},
                  {"kind",
                   [&](const YamlReader& v) {
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
                   }},
                  {"factor", [&](const YamlReader& v) {
                     e.factor = Positive(v);
                     factor_key = v;
                   }}});
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
  root.ReadKeys(
      "",
      {{"name", [&](const YamlReader& v) { s->name = NonEmpty(v); }},
       {"description", [&](const YamlReader& v) { s->description = v.String(); }},
       {"seed",
        [&](const YamlReader& v) { s->seed = static_cast<uint64_t>(IntIn(v, 0, INT64_MAX)); }},
       {"start",
        [&](const YamlReader& v) {
          std::optional<int64_t> start = ParseRfc3339(v.String());
          // From 1970 to 2200: simulated time runs on from there in int64 nanoseconds.
          constexpr int64_t kYear2201 = 7'289'654'400'000'000'000;
          if (!start || *start < 0 || *start >= kYear2201) {
            v.Fail("expected an RFC 3339 time from 1970 to 2200 such as 2025-01-01T00:00:00Z");
          }
          s->start_unix_ns = *start;
        }},
       {"routing_strategy",
        [&](const YamlReader& v) {
          auto strategy = cliproxy::host::ParseBuiltinStrategy(v.String());
          if (!strategy) v.Fail("must be `round-robin` or `fill-first`, got " + v.Describe());
          s->routing_strategy = *strategy;
        }},
       {"buckets", [&](const YamlReader& v) { s->buckets = IntIn(v, 1, 1000); }},
       {"accounts",
        [&](const YamlReader& v) {
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
        }},
       {"traffic",
        [&](const YamlReader& v) {
          traffic = v;  // needs the accounts, which may come later in the file
        }},
       {"usage", [&](const YamlReader& v) { usage = v; }},
       {"events", [&](const YamlReader& v) { events = v; }}});
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
    // Windows are reported in the records' response headers.
    if (!a.windows.empty()) {
      s->usage.enabled = s->usage.any_windows = true;
      s->usage.any_failures = true;  // 429s are failed records
    }
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

#include "simulate/simulate_text.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string_view>
#include <vector>

#include "capability_list.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {
namespace {

using Row = std::vector<std::string>;

std::string Rate(const Scenario& s) { return Fixed(s.traffic.rate, s.traffic.rate < 10 ? 2 : 1); }

void PrintSessions(std::ostream& out, const SessionResult& s) {
  int64_t unforced = s.moves - s.forced;
  out << "sessions: " << Plural(s.sessions, "session") << ", " << s.requests << " served requests; "
      << Percent(s.kept, s.requests) << " kept their first account; " << s.moves
      << " moves: " << s.forced << " caused by events (previous account not offered), " << unforced
      << " not caused by events (" << s.returns << " back to the first account)\n";
}

void PrintAccounts(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  const ScenarioUsage& usage = scenario.usage;
  std::vector<Row> rows;
  Row header = {"account", "provider", "priority", "offered", "picks", "share"};
  if (usage.enabled) {
    header.push_back("latency ms");
    if (usage.any_ttft) header.push_back("ttft ms");
    header.push_back("tokens");
    if (usage.any_failures) header.push_back("failures");
  }
  rows.push_back(header);
  for (size_t i = 0; i < scenario.accounts.size(); ++i) {
    const ScenarioAccount& a = scenario.accounts[i];
    const AccountResult& s = r.accounts[i];
    Row row = {a.id,
               a.provider,
               std::to_string(a.priority),
               std::to_string(s.offered),
               std::to_string(s.picks),
               Percent(s.picks, r.requests)};
    AppendUsageCells(usage, s, &row);
    rows.push_back(row);
  }
  rows.push_back({"(failed)", "", "", "", std::to_string(r.failed), Percent(r.failed, r.requests)});
  out << "accounts:\n";
  PrintTable(out, rows, "llrrrrrrrr");
}

// Each window's use over the run, and the two numbers a quota-aware scheduler is judged on.
void PrintQuota(std::ostream& out, const Scenario& scenario, const QuotaResult& q) {
  out << "quota: " << q.served_before_first_429 << " requests served before the first 429";
  if (q.first_429_ns >= 0) {
    out << " (at " << FormatSimTime(q.first_429_ns) << ", " << q.first_429 << ")";
  } else {
    out << " (none)";
  }
  int64_t unused = 0;
  for (const WindowResult& w : q.windows) unused += w.unused_at_resets;
  out << "; " << Plural(q.refusals, "429") << "; " << unused
      << " requests of capacity unused at resets\n";
  std::vector<Row> rows = {{"account", "window", "capacity", "served", "429s", "resets",
                            "unused at resets", "use at each tenth of the run (%)"}};
  for (const WindowResult& w : q.windows) {
    std::string use;
    const size_t n = w.bucket_use.size();
    for (size_t i = 1; i <= 10; ++i) {
      const size_t b = std::min(n - 1, (i * n + 9) / 10 - 1);
      use += (use.empty() ? "" : " ") + Fixed(100 * w.bucket_use[b], 0);
    }
    rows.push_back({scenario.accounts[w.account].id, w.name, std::to_string(w.capacity),
                    std::to_string(w.served), std::to_string(w.refusals), std::to_string(w.resets),
                    std::to_string(w.unused_at_resets), use});
  }
  PrintTable(out, rows, "llrrrrrl");
}

}  // namespace

// Columns padded to their widest cell; `align` has an 'l' (text) or 'r' (numbers) per
// column.
void PrintTable(std::ostream& out, const std::vector<Row>& rows, std::string_view align) {
  std::vector<size_t> width;
  for (const Row& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - row[i].size(), ' ');
      line += "  " + (i < align.size() && align[i] == 'r' ? pad + row[i] : row[i] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string Plural(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  return Fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) + "%";
}

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string DecisionName(size_t kind) {
  return std::string(
      cliproxy::host::PickDecisionName(static_cast<cliproxy::host::PickDecision>(kind)));
}

std::string ErrorLabel(const ErrorCount& error) {
  std::string label = error.code.empty() ? "(no code)" : error.code;
  if (error.http_status > 0) label += " (http " + std::to_string(error.http_status) + ")";
  return label;
}

std::string MeanLatencyMs(const AccountResult& account) {
  if (account.usage_records == 0) return "-";
  return Fixed(static_cast<double>(account.latency_ns_total) /
                   static_cast<double>(account.usage_records) / 1e6,
               0);
}

void AppendUsageCells(const ScenarioUsage& usage, const AccountResult& account,
                      std::vector<std::string>* row) {
  if (!usage.enabled) return;
  row->push_back(MeanLatencyMs(account));
  if (usage.any_ttft) row->push_back(MeanTtftMs(account));
  row->push_back(std::to_string(account.tokens_total));
  if (usage.any_failures) row->push_back(std::to_string(account.failures));
}

std::string MeanTtftMs(const AccountResult& account) {
  if (account.ttft_records == 0) return "-";
  return Fixed(
      static_cast<double>(account.ttft_ns_total) / static_cast<double>(account.ttft_records) / 1e6,
      0);
}

std::string EventKindLabel(const ScenarioEvent& e) {
  std::string label = EventKindName(e.kind);
  if (e.kind == EventKind::kSlow) {
    std::ostringstream factor;
    factor << e.factor;
    label += " x" + factor.str();
  }
  return label;
}

std::string EventLabel(const Scenario& scenario, const ScenarioEvent& e) {
  std::string until = e.until_ns ? FormatSimTime(*e.until_ns) : "end";
  return FormatSimTime(e.at_ns) + " - " + until + "  " + scenario.accounts[e.account].id + "  " +
         EventKindLabel(e);
}

void PrintSimulation(std::ostream& out, const Scenario& scenario,
                     const cliproxy::host::PluginInfo& plugin, const SimulationResult& r) {
  out << "scenario: " << scenario.name << " (" << scenario.path << "), seed " << r.seed << "\n";
  out << "plugin: " << plugin.id << " (" << plugin.path << "), priority "
      << plugin.settings.priority << ", " << cliproxy::host::PluginStateName(plugin.state) << "\n";
  const cliproxy::Registration& reg = plugin.registration;
  out << "registration: " << reg.metadata.name << " " << reg.metadata.version << " by "
      << reg.metadata.author << ", schema " << plugin.schema_version << ", capabilities "
      << CapabilityList(reg.capabilities) << "\n";
  out << "traffic: " << Plural(r.requests, "request") << " over " << FormatSimTime(r.duration_ns)
      << " simulated (" << Rate(scenario) << "/s), "
      << Plural(static_cast<int64_t>(scenario.accounts.size()), "account") << ", "
      << Plural(static_cast<int64_t>(scenario.events.size()), "event") << "; routing.strategy "
      << cliproxy::host::BuiltinStrategyName(scenario.routing_strategy) << "\n";
  if (!scenario.events.empty()) {
    out << "events:\n";
    for (const ScenarioEvent& e : scenario.events) out << "  " << EventLabel(scenario, e) << "\n";
  }
  PrintAccounts(out, scenario, r);
  out << "fairness: Jain's index " << Fixed(r.jain, 4) << " over "
      << Plural(static_cast<int64_t>(r.jain_accounts), "account") << " offered at least once; "
      << Fixed(r.jain_offered, 4) << " of picks per request offered (availability-adjusted)\n";
  if (scenario.traffic.sessions.count > 0) PrintSessions(out, r.sessions);

  out << "decisions:\n";
  std::vector<Row> rows;
  for (size_t k = 0; k < kDecisionKinds; ++k) {
    rows.push_back(
        {DecisionName(k), std::to_string(r.decisions[k]), Percent(r.decisions[k], r.requests)});
  }
  PrintTable(out, rows, "lrr");
  out << "  built-in picks: round-robin " << r.builtin_round_robin << ", fill-first "
      << r.builtin_fill_first << "\n";

  if (r.errors.empty()) {
    out << "errors: none\n";
  } else {
    out << "errors:\n";
    rows.clear();
    for (const ErrorCount& e : r.errors) {
      rows.push_back({ErrorLabel(e), std::to_string(e.count), "\"" + e.message + "\""});
    }
    PrintTable(out, rows, "lrl");
  }

  if (scenario.usage.enabled) {
    out << "usage: " << r.usage_records << " records, " << r.usage_deliveries
        << " usage.handle calls";
    if (!plugin.registration.capabilities.usage_plugin) {
      out << " (the plugin does not declare usage_plugin)";
    }
    if (scenario.usage.any_failures) out << "; " << r.usage_failures << " records failed";
    out << "\n";
  }
  if (scenario.usage.any_windows) PrintQuota(out, scenario, r.quota);

  if (!scenario.traffic.tenants.empty()) {
    out << "tenants:\n";
    rows.clear();
    for (size_t t = 0; t < scenario.traffic.tenants.size(); ++t) {
      const TenantResult& tr = r.tenants[t];
      std::string used;
      for (size_t a = 0; a < scenario.accounts.size(); ++a) {
        if (tr.picks[a] == 0) continue;
        used += (used.empty() ? "" : ", ") + scenario.accounts[a].id + " " +
                std::to_string(tr.picks[a]);
      }
      rows.push_back({scenario.traffic.tenants[t].name, std::to_string(tr.requests) + " requests",
                      std::to_string(tr.failed) + " failed", used.empty() ? "-" : used});
    }
    PrintTable(out, rows, "lrrl");
  }

  if (!r.logs.empty()) {
    out << "log:\n";
    rows.clear();
    for (const LogCount& l : r.logs) {
      rows.push_back({std::string(cliproxy::host::LogLevelName(l.level)),
                      std::to_string(l.count) + "x", l.message});
    }
    PrintTable(out, rows, "lrl");
  }
}

}  // namespace cpa_sched

// cpa-sched simulate's usage model, run as a program on the scripted C fixture, which
// declares usage_plugin and appends every usage.handle body to its marker file: TTFT,
// per-model tokens, upstream failures, slow events and determinism by seed. Expectations
// are computed from the scenario and from the records the plugin received. Then
// scheduler.so's usage-driven strategies (fastest, least-used) on the example scenario
// examples/scenarios/mixed-latency.yaml, against round-robin on the same traffic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::UsageRecord;
using cliproxy::test_support::ReadFile;
using cpa_sched::testing::ToolRun;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

// The accounts table of the text report, by account and column header ("latency ms").
using AccountsTable = std::map<std::string, std::map<std::string, std::string>>;

std::vector<std::string> Cells(const std::string& line) {
  // Cells are separated by two or more spaces; a header may contain one ("latency ms").
  std::vector<std::string> out;
  std::regex separator(" {2,}");
  for (std::sregex_token_iterator it(line.begin(), line.end(), separator, -1), end; it != end;
       ++it) {
    if (!it->str().empty()) out.push_back(*it);
  }
  return out;
}

AccountsTable ReadAccounts(const std::string& out) {
  AccountsTable table;
  std::stringstream lines(out);
  std::string line;
  while (std::getline(lines, line) && line != "accounts:") {
  }
  std::vector<std::string> header;
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::vector<std::string> cells = Cells(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    if (cells.empty() || cells[0] == "(failed)") continue;
    for (size_t i = 0; i < cells.size() && i < header.size(); ++i) {
      table[cells[0]][header[i]] = cells[i];
    }
  }
  return table;
}

std::vector<std::string> AccountsHeader(const std::string& out) {
  std::stringstream lines(out);
  std::string line;
  while (std::getline(lines, line) && line != "accounts:") {
  }
  std::getline(lines, line);
  return Cells(line);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The usage.handle bodies the fixture received, in delivery order.
std::vector<UsageRecord> ReceivedRecords(const std::string& marker) {
  std::vector<UsageRecord> out;
  for (const std::string& line : cliproxy::host::testing::LinesStartingWith(
           cliproxy::host::testing::ReadLines(marker), "usage.handle ")) {
    UsageRecord record;
    EXPECT_TRUE(cliproxy::json::DecodeUsageRecord(line.substr(13), &record)) << line;
    out.push_back(std::move(record));
  }
  return out;
}

// Simulated time of a record from its RequestedAt, for scenarios that start at
// 2025-01-01T00:00:00Z and last less than a day.
int64_t SimulatedNs(const UsageRecord& r) {
  std::smatch m;
  EXPECT_TRUE(std::regex_match(r.requested_at, m,
                               std::regex(R"(2025-01-01T(\d\d):(\d\d):(\d\d)(\.(\d+))?Z)")))
      << r.requested_at;
  if (m.empty()) return -1;
  int64_t ns = (std::stoll(m[1]) * 3600 + std::stoll(m[2]) * 60 + std::stoll(m[3])) * kS;
  if (m[5].matched) {
    std::string fraction = m[5].str() + std::string(9 - m[5].length(), '0');
    ns += std::stoll(fraction);
  }
  return ns;
}

// As the report prints a mean in milliseconds.
std::string MeanMs(int64_t total_ns, int64_t count) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.0f",
                static_cast<double>(total_ns) / static_cast<double>(count) / 1e6);
  return buffer;
}

class SimulateUsageTest : public cpa_sched::testing::ToolTest {
 protected:
  struct Run {
    ToolRun tool;
    std::vector<UsageRecord> records;
    std::string usage_lines;  // the usage.handle lines of the marker file, as written
  };

  // Simulates `scenario_yaml` with the fixture declaring usage_plugin (it leaves every
  // pick unhandled, so the host's round-robin picks).
  Run Simulate(const std::string& scenario_yaml, std::vector<std::string> extra = {}) {
    std::string scenario =
        dir_.Write("scenario-" + std::to_string(++runs_) + ".yaml", scenario_yaml);
    std::string marker = dir_.File("marker-" + std::to_string(runs_) + ".txt");
    std::string config = Config("capabilities: scheduler usage_plugin\nmarker: " + marker + "\n");
    std::vector<std::string> args = {
        "simulate", CLIPROXY_FIXTURE_SCRIPTED, "--config", config, "--scenario", scenario};
    for (std::string& e : extra) args.push_back(std::move(e));
    Run run;
    run.tool = RunTool(args);
    EXPECT_EQ(run.tool.exit_code, 0) << run.tool.out << run.tool.err;
    run.records = ReceivedRecords(marker);
    for (const std::string& line : cliproxy::host::testing::LinesStartingWith(
             cliproxy::host::testing::ReadLines(marker), "usage.handle ")) {
      run.usage_lines += line + "\n";
    }
    return run;
  }

 private:
  int runs_ = 0;
};

TEST_F(SimulateUsageTest, TtftIsDrawnPerAccountCappedAtTheLatencyAndReportedAsAMean) {
  Run run = Simulate(R"(
start: 2025-01-01T00:00:00Z
accounts:
  - {id: quick.json, provider: codex, latency_ms: {mean: 1000, jitter: 200}, ttft_ms: {mean: 300, jitter: 100}}
  - {id: capped.json, provider: codex, latency_ms: {mean: 800, jitter: 100}}
  - {id: fixed.json, provider: codex, latency_ms: 500, ttft_ms: 120}
traffic: {requests: 300, rate: 10, arrival: uniform, models: [gpt-5]}
usage: {ttft_ms: 2000}
)");
  ASSERT_EQ(run.records.size(), 300u) << run.tool.out;
  std::map<std::string, int64_t> ttft_total, count;
  std::set<int64_t> quick_values;
  for (const UsageRecord& r : run.records) {
    EXPECT_FALSE(r.failed);
    EXPECT_GT(r.ttft_ns, 0) << r.auth_id;
    EXPECT_LE(r.ttft_ns, r.latency_ns) << r.auth_id;
    if (r.auth_id == "quick.json") {
      EXPECT_GE(r.ttft_ns, 200 * kMs);
      EXPECT_LE(r.ttft_ns, 400 * kMs);
      quick_values.insert(r.ttft_ns);
    } else if (r.auth_id == "capped.json") {
      // usage.ttft_ms (2000) exceeds every latency this account draws (700-900 ms).
      EXPECT_EQ(r.ttft_ns, r.latency_ns);
    } else {
      EXPECT_EQ(r.auth_id, "fixed.json");
      EXPECT_EQ(r.ttft_ns, 120 * kMs);
      EXPECT_EQ(r.latency_ns, 500 * kMs);
    }
    ttft_total[r.auth_id] += r.ttft_ns;
    ++count[r.auth_id];
  }
  EXPECT_GT(quick_values.size(), 50u) << "the jitter is drawn per record";

  AccountsTable table = ReadAccounts(run.tool.out);
  ASSERT_EQ(table.size(), 3u) << run.tool.out;
  for (const auto& [id, total] : ttft_total) {
    EXPECT_EQ(table[id]["ttft ms"], MeanMs(total, count[id])) << id << "\n" << run.tool.out;
  }
  EXPECT_FALSE(Contains(AccountsHeader(run.tool.out), "failures"))
      << "no account has a fail_rate: " << run.tool.out;
}

TEST_F(SimulateUsageTest, WithoutTtftMsRecordsCarryNoTtftAndTheReportHasNoColumn) {
  std::string scenario =
      ReadFile(std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/codex-pool.yaml");
  ASSERT_EQ(scenario.find("ttft_ms"), std::string::npos);
  ASSERT_EQ(scenario.find("fail_rate"), std::string::npos);
  Run run = Simulate(scenario);
  ASSERT_FALSE(run.records.empty());
  for (const UsageRecord& r : run.records) {
    EXPECT_EQ(r.ttft_ns, 0);
    EXPECT_FALSE(r.failed);
  }
  std::vector<std::string> header = AccountsHeader(run.tool.out);
  EXPECT_TRUE(Contains(header, "latency ms")) << run.tool.out;
  EXPECT_FALSE(Contains(header, "ttft ms")) << run.tool.out;
  EXPECT_FALSE(Contains(header, "failures")) << run.tool.out;
  EXPECT_EQ(run.tool.out.find("records failed"), std::string::npos) << run.tool.out;
}

TEST_F(SimulateUsageTest, FailRateFailsThatShareOfAnAccountsRecordsWithItsStatusAndNoTokens) {
  const double kFlakyRate = 0.25;
  Run run = Simulate(R"(
accounts:
  - {id: flaky.json, provider: claude, fail_rate: )" +
                     std::to_string(kFlakyRate) + R"(, fail_status: 429}
  - {id: solid.json, provider: claude}
  - {id: down.json, provider: claude, fail_rate: 1}
traffic: {requests: 1200, rate: 20, models: [claude-sonnet-4-5]}
usage: {latency_ms: {mean: 900, jitter: 300}, ttft_ms: 200, input_tokens: 1000, output_tokens: 200}
)");
  ASSERT_EQ(run.records.size(), 1200u) << run.tool.out;
  const std::map<std::string, int64_t> status = {
      {"flaky.json", 429}, {"solid.json", 0}, {"down.json", 500}};
  std::map<std::string, int64_t> records, failures, tokens;
  int64_t failed_total = 0;
  for (const UsageRecord& r : run.records) {
    ++records[r.auth_id];
    tokens[r.auth_id] += r.detail.total_tokens;
    EXPECT_GE(r.latency_ns, 600 * kMs) << "a failed request still takes time";
    if (r.failed) {
      ++failures[r.auth_id];
      ++failed_total;
      EXPECT_EQ(r.failure.status_code, status.at(r.auth_id)) << r.auth_id;
      EXPECT_FALSE(r.failure.body.empty());
      EXPECT_EQ(r.detail.input_tokens, 0);
      EXPECT_EQ(r.detail.output_tokens, 0);
      EXPECT_EQ(r.detail.total_tokens, 0);
      EXPECT_EQ(r.ttft_ns, 0) << "no first token";
    } else {
      EXPECT_EQ(r.failure.status_code, 0);
      EXPECT_EQ(r.detail.total_tokens, 1200);
      EXPECT_EQ(r.ttft_ns, 200 * kMs);
    }
  }
  EXPECT_EQ(failures["solid.json"], 0);
  EXPECT_EQ(failures["down.json"], records["down.json"]);
  // Binomial(n, 0.25): the bounds are more than four standard deviations away.
  double n = static_cast<double>(records["flaky.json"]);
  ASSERT_GT(n, 300);
  EXPECT_NEAR(static_cast<double>(failures["flaky.json"]), kFlakyRate * n, 0.1 * n);

  AccountsTable table = ReadAccounts(run.tool.out);
  for (const char* id : {"flaky.json", "solid.json", "down.json"}) {
    EXPECT_EQ(table[id]["failures"], std::to_string(failures[id])) << id << run.tool.out;
    EXPECT_EQ(table[id]["tokens"], std::to_string(tokens[id])) << id << run.tool.out;
    EXPECT_EQ(table[id]["picks"], std::to_string(records[id]))
        << "a failure does not fail the pick: " << run.tool.out;
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.tool.out, m,
                                std::regex(R"(\nusage: 1200 records, 1200 usage.handle calls; )"
                                           R"(([0-9]+) records failed\n)")))
      << run.tool.out;
  EXPECT_EQ(std::stoll(m[1]), failed_total);
}

TEST_F(SimulateUsageTest, SlowEventsMultiplyLatencyAndTtftDuringTheirWindowAndKeepTheAccount) {
  struct Slow {
    int64_t from_s, until_s;
    double factor;
  };
  const std::vector<Slow> slow = {{10, 20, 4}, {15, 20, 2.5}};  // overlapping: they multiply
  const int64_t kLatencyMs = 200, kTtftMs = 50;
  auto factor_at = [&](int64_t ns) {
    double f = 1;
    for (const Slow& s : slow) {
      if (ns >= s.from_s * kS && ns < s.until_s * kS) f *= s.factor;
    }
    return f;
  };
  std::ostringstream yaml;
  yaml << "start: 2025-01-01T00:00:00Z\naccounts:\n"
       << "  - {id: steady.json, provider: gemini, latency_ms: " << kLatencyMs
       << ", ttft_ms: " << kTtftMs << "}\n"
       << "  - {id: wobbly.json, provider: gemini, latency_ms: " << kLatencyMs
       << ", ttft_ms: " << kTtftMs << "}\n"
       << "traffic: {requests: 300, rate: 10, arrival: uniform, models: [gemini-2.5-pro]}\n"
       << "events:\n";
  for (const Slow& s : slow) {
    yaml << "  - {at: " << s.from_s << "s, until: " << s.until_s
         << "s, account: wobbly.json, kind: slow, factor: " << s.factor << "}\n";
  }
  Run run = Simulate(yaml.str(), {"--report", dir_.File("slow.html")});
  ASSERT_EQ(run.records.size(), 300u) << run.tool.out;
  std::map<double, int> wobbly_by_factor;
  int64_t wobbly_latency_total = 0, wobbly_records = 0;
  for (const UsageRecord& r : run.records) {
    int64_t at = SimulatedNs(r);
    double f = r.auth_id == "wobbly.json" ? factor_at(at) : 1;
    if (r.auth_id == "wobbly.json") {
      ++wobbly_by_factor[f];
      wobbly_latency_total += r.latency_ns;
      ++wobbly_records;
    }
    EXPECT_NEAR(static_cast<double>(r.latency_ns), kLatencyMs * kMs * f, 1)
        << r.auth_id << " at " << r.requested_at;
    EXPECT_NEAR(static_cast<double>(r.ttft_ns), kTtftMs * kMs * f, 1)
        << r.auth_id << " at " << r.requested_at;
  }
  EXPECT_GT(wobbly_by_factor[1], 0);
  EXPECT_GT(wobbly_by_factor[4], 0);
  EXPECT_GT(wobbly_by_factor[10], 0) << "both slow events at once";

  AccountsTable table = ReadAccounts(run.tool.out);
  EXPECT_EQ(table["wobbly.json"]["offered"], "300") << "a slow account stays offered";
  EXPECT_EQ(table["steady.json"]["latency ms"], std::to_string(kLatencyMs));
  EXPECT_EQ(table["wobbly.json"]["latency ms"], MeanMs(wobbly_latency_total, wobbly_records));
  EXPECT_NE(run.tool.out.find("  10.0s - 20.0s  wobbly.json  slow x4\n"), std::string::npos)
      << run.tool.out;
  EXPECT_NE(run.tool.out.find("  15.0s - 20.0s  wobbly.json  slow x2.5\n"), std::string::npos)
      << run.tool.out;

  std::string page = ReadFile(dir_.File("slow.html"));
  EXPECT_NE(page.find("wobbly.json slow x4"), std::string::npos) << "the chart's band label";
  EXPECT_NE(page.find("slow window</li>"), std::string::npos) << "the legend";
  EXPECT_EQ(page.find("event window</li>"), std::string::npos) << "no account went out";
  EXPECT_NE(page.find("<th class=\"num\">mean TTFT ms</th>"), std::string::npos);
}

TEST_F(SimulateUsageTest, ModelsOverrideTheTokenSpreadsOfTheirRequests) {
  Run run = Simulate(R"(
accounts:
  - {id: a.json, provider: claude}
  - {id: b.json, provider: claude}
traffic:
  requests: 400
  rate: 10
  models:
    - {name: claude-opus-4-1, input_tokens: 20000, output_tokens: {mean: 2000, jitter: 500}}
    - {name: claude-haiku-4-5, weight: 3}
usage: {input_tokens: 800, output_tokens: {mean: 100, jitter: 50}}
)");
  ASSERT_EQ(run.records.size(), 400u) << run.tool.out;
  std::map<std::string, int64_t> tokens, per_model;
  for (const UsageRecord& r : run.records) {
    if (r.model == "claude-opus-4-1") {
      EXPECT_EQ(r.detail.input_tokens, 20000);
      EXPECT_GE(r.detail.output_tokens, 1500);
      EXPECT_LE(r.detail.output_tokens, 2500);
    } else {
      EXPECT_EQ(r.model, "claude-haiku-4-5");
      EXPECT_EQ(r.detail.input_tokens, 800);
      EXPECT_GE(r.detail.output_tokens, 50);
      EXPECT_LE(r.detail.output_tokens, 150);
    }
    EXPECT_EQ(r.detail.total_tokens, r.detail.input_tokens + r.detail.output_tokens);
    tokens[r.auth_id] += r.detail.total_tokens;
    ++per_model[r.model];
  }
  EXPECT_GT(per_model["claude-opus-4-1"], 0);
  EXPECT_GT(per_model["claude-haiku-4-5"], per_model["claude-opus-4-1"]);
  AccountsTable table = ReadAccounts(run.tool.out);
  for (const auto& [id, total] : tokens) {
    EXPECT_EQ(table[id]["tokens"], std::to_string(total)) << id << run.tool.out;
  }
}

// --- scheduler.so's usage-driven strategies on examples/scenarios/mixed-latency.yaml ---

const std::string kMixedLatency =
    std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/mixed-latency.yaml";
const std::string kConfigs = std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/configs";

int64_t Int(const AccountsTable& table, const std::string& id, const std::string& column) {
  auto row = table.find(id);
  if (row == table.end() || row->second.count(column) == 0) {
    ADD_FAILURE() << "no " << column << " for " << id;
    return -1;
  }
  return std::stoll(row->second.at(column));
}

double Jain(const std::vector<double>& x) {
  double sum = 0, squares = 0;
  for (double v : x) {
    sum += v;
    squares += v * v;
  }
  return sum * sum / (static_cast<double>(x.size()) * squares);
}

class MixedLatencyTest : public cpa_sched::testing::ToolTest {
 protected:
  const std::vector<std::string> kAccounts = {"fast-1.json", "fast-2.json", "slow.json",
                                              "flaky.json"};

  AccountsTable Simulate(const std::string& config, const std::string& scenario = kMixedLatency) {
    ToolRun run =
        RunTool({"simulate", CLIPROXY_SCHEDULER_SO, "--config", config, "--scenario", scenario});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    // scheduler.so declares usage_plugin only for routes that read usage.
    bool reads_usage = ReadFile(config).find("strategy: round-robin") == std::string::npos;
    EXPECT_NE(run.out.find(reads_usage ? "usage: 2400 records, 2400 usage.handle calls;"
                                       : "usage: 2400 records, 0 usage.handle calls"),
              std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("\n  plugin-auth      2400 "), std::string::npos)
        << "the route decides every pick: " << run.out;
    AccountsTable table = ReadAccounts(run.out);
    EXPECT_EQ(table.size(), kAccounts.size()) << run.out;
    return table;
  }

  // scheduler.so rotating over the pool: a quarter of the requests each, whatever happens.
  AccountsTable RoundRobin(const std::string& scenario = kMixedLatency) {
    return Simulate(Config("enabled: true\nroutes:\n  - {name: claude, when: {providers: "
                           "[claude]}, strategy: round-robin}\n"),
                    scenario);
  }

  // Mean latency of all requests: the accounts' means weighted by their picks.
  double MeanLatency(const AccountsTable& table) {
    double total = 0, picks = 0;
    for (const std::string& id : kAccounts) {
      total += static_cast<double>(Int(table, id, "picks") * Int(table, id, "latency ms"));
      picks += static_cast<double>(Int(table, id, "picks"));
    }
    return total / picks;
  }
};

TEST_F(MixedLatencyTest, FastestTakesPicksFromSlowFailingAndSlowedAccounts) {
  AccountsTable rr = RoundRobin();
  AccountsTable fastest = Simulate(kConfigs + "/fastest.yaml");
  EXPECT_LT(Int(fastest, "slow.json", "picks"), Int(rr, "slow.json", "picks"));
  EXPECT_LT(Int(fastest, "flaky.json", "picks"), Int(rr, "flaky.json", "picks"))
      << "its failures count as slow answers";
  EXPECT_LT(Int(fastest, "flaky.json", "failures"), Int(rr, "flaky.json", "failures"));
  EXPECT_GT(Int(fastest, "fast-1.json", "picks"), Int(rr, "fast-1.json", "picks"));
  EXPECT_LT(MeanLatency(fastest), MeanLatency(rr));

  // The same traffic without fast-2.json's slow spell: it gets more picks.
  std::string text = ReadFile(kMixedLatency);
  size_t events = text.find("\nevents:");
  ASSERT_NE(events, std::string::npos);
  std::string steady = dir_.Write("steady.yaml", text.substr(0, events + 1));
  AccountsTable fastest_steady = Simulate(kConfigs + "/fastest.yaml", steady);
  EXPECT_LT(Int(fastest, "fast-2.json", "picks"), Int(fastest_steady, "fast-2.json", "picks"));
  AccountsTable rr_steady = RoundRobin(steady);
  EXPECT_EQ(Int(rr, "fast-2.json", "picks"), Int(rr_steady, "fast-2.json", "picks"))
      << "round-robin does not notice";
}

TEST_F(MixedLatencyTest, LeastUsedEvensOutTheTokensThatRoundRobinLeavesUneven) {
  AccountsTable rr = RoundRobin();
  AccountsTable least = Simulate(kConfigs + "/least-used.yaml");
  std::vector<double> rr_tokens, least_tokens;
  for (const std::string& id : kAccounts) {
    rr_tokens.push_back(static_cast<double>(Int(rr, id, "tokens")));
    least_tokens.push_back(static_cast<double>(Int(least, id, "tokens")));
  }
  EXPECT_GT(Jain(least_tokens), Jain(rr_tokens));
  auto spread = [](const std::vector<double>& x) {
    return *std::max_element(x.begin(), x.end()) / *std::min_element(x.begin(), x.end());
  };
  EXPECT_LT(spread(least_tokens), spread(rr_tokens));
  EXPECT_GT(Int(least, "flaky.json", "picks"), Int(rr, "flaky.json", "picks"))
      << "its failed requests spend no tokens, so it is picked more often";
}

// A scenario with every usage feature; `extra` is spliced into the first account.
std::string Featured(const std::string& extra) {
  return R"(
accounts:
  - {id: x.json, provider: codex, latency_ms: {mean: 700, jitter: 300})" +
         extra + R"(}
  - {id: y.json, provider: codex, latency_ms: {mean: 400, jitter: 100}}
  - {id: z.json, provider: codex}
traffic: {requests: 600, rate: 5, models: [gpt-5, {name: gpt-5-pro, input_tokens: 9000}]}
usage: {latency_ms: {mean: 1000, jitter: 500}, input_tokens: {mean: 1000, jitter: 900}}
events:
  - {at: 30s, for: 40s, account: [y.json, z.json], kind: slow, factor: 3}
  - {at: 50s, for: 10s, account: z.json}
)";
}

TEST_F(SimulateUsageTest, TheSameSeedGivesTheSameRecordsAndAnotherSeedOthers) {
  const std::string scenario =
      Featured(", ttft_ms: {mean: 200, jitter: 150}, fail_rate: 0.3, fail_status: 529");
  Run one = Simulate(scenario, {"--seed", "11"});
  Run two = Simulate(scenario, {"--seed", "11"});
  Run other = Simulate(scenario, {"--seed", "12"});
  ASSERT_EQ(one.records.size(), 600u);
  EXPECT_EQ(one.tool.out.substr(one.tool.out.find('\n')),
            two.tool.out.substr(two.tool.out.find('\n')))
      << "only the first line names the scenario file, which differs";
  EXPECT_EQ(one.usage_lines, two.usage_lines) << "every usage.handle body, byte for byte";
  EXPECT_NE(one.usage_lines, other.usage_lines);
  int64_t failed = 0;
  for (const UsageRecord& r : one.records) failed += r.failed ? 1 : 0;
  EXPECT_GT(failed, 0);
}

TEST_F(SimulateUsageTest, TtftAndFailuresLeaveTheLatenciesAndTokensOfAScenarioUnchanged) {
  Run plain = Simulate(Featured(""), {"--seed", "5"});
  Run featured =
      Simulate(Featured(", ttft_ms: {mean: 200, jitter: 150}, fail_rate: 0.3"), {"--seed", "5"});
  ASSERT_EQ(plain.records.size(), featured.records.size());
  int64_t failed = 0;
  for (size_t i = 0; i < plain.records.size(); ++i) {
    const UsageRecord& p = plain.records[i];
    const UsageRecord& f = featured.records[i];
    ASSERT_EQ(p.auth_id, f.auth_id) << i;
    ASSERT_EQ(p.requested_at, f.requested_at) << i;
    EXPECT_EQ(p.latency_ns, f.latency_ns) << i;
    EXPECT_EQ(p.ttft_ns, 0);
    if (f.failed) {
      ++failed;
      EXPECT_EQ(f.auth_id, "x.json");
    } else {
      EXPECT_EQ(p.detail.total_tokens, f.detail.total_tokens) << i;
    }
  }
  EXPECT_GT(failed, 0);
}

TEST_F(SimulateUsageTest, BadUsageKeysNameTheKeyAndTheLine) {
  auto error_of = [&](const std::string& yaml) {
    std::string path = dir_.Write("bad.yaml", yaml);
    ToolRun run = RunTool({"simulate", CLIPROXY_SCHEDULER_SO, "--scenario", path});
    EXPECT_EQ(run.exit_code, 2) << run.out;
    return run.err;
  };
  const std::string head = "accounts:\n  - {id: a.json, provider: codex";
  const std::string traffic = "traffic: {requests: 10, rate: 1, models: [gpt-5]}\n";
  std::string err = error_of(head + ", fail_rate: 1.5}\n" + traffic);
  EXPECT_NE(err.find("accounts[0].fail_rate: line 2"), std::string::npos) << err;
  EXPECT_NE(err.find("must be a share between 0 and 1"), std::string::npos) << err;
  err = error_of(head + ", fail_status: 42}\n" + traffic);
  EXPECT_NE(err.find("accounts[0].fail_status: line 2"), std::string::npos) << err;
  err = error_of(head + ", ttft_ms: {mean: 10, jitter: 20}}\n" + traffic);
  EXPECT_NE(err.find("accounts[0].ttft_ms: line 2"), std::string::npos) << err;
  err = error_of(head + "}\n" + traffic + "events:\n  - {at: 1s, account: a.json, kind: slow}\n");
  EXPECT_NE(err.find("events[0]: line 5"), std::string::npos) << err;
  EXPECT_NE(err.find("a `slow` event needs a `factor`"), std::string::npos) << err;
  err = error_of(head + "}\n" + traffic + "events:\n  - {at: 1s, account: a.json, factor: 2}\n");
  EXPECT_NE(err.find("events[0].factor: line 5"), std::string::npos) << err;
  EXPECT_NE(err.find("only a `slow` event has a `factor`"), std::string::npos) << err;
  err = error_of(head + "}\n" + traffic +
                 "events:\n  - {at: 1s, account: a.json, kind: slow, factor: 0}\n");
  EXPECT_NE(err.find("events[0].factor: line 5"), std::string::npos) << err;
  err = error_of(
      head + "}\ntraffic: {requests: 10, rate: 1, models: [{name: gpt-5, input_tokens: -3}]}\n");
  EXPECT_NE(err.find("traffic.models[0].input_tokens: line 3"), std::string::npos) << err;
}

// --- quota windows: the simulated upstream's headers, 429s and cooldowns ---

std::string HeaderOf(const UsageRecord& r, const std::string& name) {
  const cliproxy::Slice<std::string>* values = cliproxy::FindHeader(r.response_headers, name);
  return values == nullptr || values->empty() ? "" : values->front();
}

TEST_F(SimulateUsageTest, WindowsAreReportedInEachProvidersHeadersAndSpentOnesAnswer429) {
  Run run = Simulate(R"(
start: 2025-01-01T00:00:00Z
accounts:
  - id: max.json
    provider: claude
    windows: [{name: 5h, length: 5h, capacity: 10, used: 8, resets_in: 1h}]
  - id: codex.json
    provider: codex
    windows:
      - {name: primary, length: 5h, capacity: 100}
      - {name: secondary, length: 168h, capacity: 1000, used: 500, resets_in: 100h}
  - id: key.json
    provider: openai
    windows: [{name: requests, length: 1m, capacity: 5}]
traffic:
  requests: 90
  rate: 1
  arrival: uniform
  models: [{name: any-model, providers: [claude, codex, openai]}]
usage: {latency_ms: 100}
)");
  ASSERT_EQ(run.records.size(), 90u) << run.tool.out;
  std::map<std::string, int> served, refused;
  std::map<std::string, int64_t> cooling_until;  // simulated ns
  for (const UsageRecord& r : run.records) {
    const int64_t at = SimulatedNs(r);
    EXPECT_GE(at, cooling_until[r.auth_id]) << r.auth_id << " was offered while cooling down";
    if (r.failed) {
      ++refused[r.auth_id];
      EXPECT_EQ(r.failure.status_code, 429) << r.auth_id;
      EXPECT_EQ(r.detail.total_tokens, 0);
      const std::string retry = HeaderOf(r, "Retry-After");
      ASSERT_FALSE(retry.empty()) << r.auth_id;
      cooling_until[r.auth_id] = at + std::stoll(retry) * kS - kS;  // whole seconds, rounded up
    } else {
      ++served[r.auth_id];
    }
    if (r.auth_id == "max.json") {
      EXPECT_EQ(HeaderOf(r, "anthropic-ratelimit-unified-5h-reset"), "1735693200");  // +1h
      EXPECT_EQ(HeaderOf(r, "anthropic-ratelimit-unified-status"),
                r.failed ? "rejected" : "allowed_warning");
      EXPECT_EQ(HeaderOf(r, "anthropic-ratelimit-unified-5h-utilization"),
                r.failed || served[r.auth_id] == 2 ? "1.0000" : "0.9000");
    } else if (r.auth_id == "codex.json") {
      EXPECT_EQ(HeaderOf(r, "x-codex-primary-window-minutes"), "300");
      EXPECT_EQ(HeaderOf(r, "x-codex-primary-used-percent"),
                std::to_string(served[r.auth_id]) + ".0");
      EXPECT_EQ(HeaderOf(r, "x-codex-secondary-window-minutes"), "10080");
      EXPECT_FALSE(HeaderOf(r, "x-codex-secondary-reset-after-seconds").empty());
    } else {
      EXPECT_EQ(r.auth_id, "key.json");
      EXPECT_EQ(HeaderOf(r, "x-ratelimit-limit-requests"), "5");
      EXPECT_FALSE(HeaderOf(r, "x-ratelimit-reset-requests").empty());
    }
  }
  // max.json: 2 requests left, then one 429 and an hour's cooldown (longer than the run).
  EXPECT_EQ(served["max.json"], 2);
  EXPECT_EQ(refused["max.json"], 1);
  EXPECT_EQ(refused["codex.json"], 0);
  // key.json: at most 5 a minute; refused, then back after its window resets.
  EXPECT_GE(refused["key.json"], 1);
  EXPECT_GT(served["key.json"], 5);
  const std::string quota = run.tool.out.substr(run.tool.out.find("\nquota: ") + 1);
  EXPECT_EQ(quota.rfind("quota: ", 0), 0u) << run.tool.out;
  EXPECT_NE(quota.find(std::to_string(refused["max.json"] + refused["key.json"]) + " 429"),
            std::string::npos)
      << quota;
}

// The numbers of the README's table, read back from each run's `quota:` line.
struct QuotaLine {
  int64_t before_first_429 = -1;
  int64_t refusals = -1;
  int64_t unused = -1;
};

QuotaLine ReadQuota(const std::string& out) {
  std::smatch m;
  QuotaLine q;
  if (std::regex_search(out, m,
                        std::regex(R"(\nquota: ([0-9]+) requests served before the first 429 .*; )"
                                   R"(([0-9]+) 429s?; ([0-9]+) requests of capacity unused)"))) {
    q.before_first_429 = std::stoll(m[1]);
    q.refusals = std::stoll(m[2]);
    q.unused = std::stoll(m[3]);
  }
  return q;
}

TEST_F(SimulateUsageTest, HeadroomSpendsClaudeMaxWindowsBetterThanEvenSpreading) {
  const std::string scenario =
      std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/claude-max-windows.yaml";
  const std::string configs = std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/configs/";
  std::map<std::string, QuotaLine> q;
  for (const char* config : {"round-robin", "least-used-requests", "headroom"}) {
    ToolRun run = RunTool({"simulate", CLIPROXY_SCHEDULER_SO, "--config",
                           configs + config + ".yaml", "--scenario", scenario});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    q[config] = ReadQuota(run.out);
    ASSERT_GE(q[config].before_first_429, 0) << run.out;
  }
  for (const char* even : {"round-robin", "least-used-requests"}) {
    EXPECT_GT(q["headroom"].before_first_429, 10 * q[even].before_first_429) << even;
    EXPECT_LT(q["headroom"].unused, q[even].unused) << even;
    EXPECT_GT(q[even].refusals, 0) << even;
  }
  EXPECT_EQ(q["headroom"].refusals, 0);
  EXPECT_EQ(q["headroom"].before_first_429, 1500) << "every request served";

  // The README's table says the same.
  const std::string readme = ReadFile(std::string(CLIPROXY_EXAMPLES_DIR) + "/../README.md");
  for (const auto& [config, line] : q) {
    const std::string row = "| `" + config + ".yaml` | " + std::to_string(line.before_first_429) +
                            " | " + std::to_string(line.refusals) + " | " +
                            std::to_string(line.unused) + " |";
    EXPECT_NE(readme.find(row), std::string::npos) << "README lacks the row " << row;
  }
}

TEST_F(SimulateUsageTest, BadWindowsNameTheKeyAndTheLine) {
  auto error_of = [&](const std::string& window, const std::string& provider = "claude") {
    std::string path =
        dir_.Write("bad.yaml", "accounts:\n  - id: a.json\n    provider: " + provider +
                                   "\n    windows:\n      - " + window +
                                   "\ntraffic: {requests: 10, rate: 1, models: "
                                   "[m]}\n");
    ToolRun run = RunTool({"simulate", CLIPROXY_SCHEDULER_SO, "--scenario", path});
    EXPECT_EQ(run.exit_code, 2) << run.out;
    return run.err;
  };
  std::string err = error_of("{name: primary, length: 5h, capacity: 10}");
  EXPECT_NE(err.find("accounts[0].windows[0].name: line 5"), std::string::npos) << err;
  EXPECT_NE(err.find("a claude account's upstream reports windows 5h, 7d, not `primary`"),
            std::string::npos)
      << err;
  err = error_of("{name: 5h, length: 5h, capacity: 10, used: 11}");
  EXPECT_NE(err.find("accounts[0].windows[0].used: line 5"), std::string::npos) << err;
  EXPECT_NE(err.find("must not exceed capacity (10)"), std::string::npos) << err;
  err = error_of("{name: 5h, length: 5h, capacity: 10, resets_in: 6h}");
  EXPECT_NE(err.find("accounts[0].windows[0].resets_in: line 5"), std::string::npos) << err;
  err = error_of("{name: requests, length: 1m}", "openai");
  EXPECT_NE(err.find("capacity"), std::string::npos) << err;
}

}  // namespace

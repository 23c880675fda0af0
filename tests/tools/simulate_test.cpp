// cpa-sched simulate, run as a program on scheduler.so and the scripted C fixture with the
// example scenarios: determinism, fairness, pinning and fallback, stickiness, usage
// delivery, scenario errors and the HTML report.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "cliproxy/json.hpp"
#include "host_test_support.hpp"

namespace {

using cliproxy::test_support::ReadFile;
using cpa_sched::testing::ToolRun;

const std::string kExamples = CLIPROXY_EXAMPLES_DIR;
const std::string kScenarios = kExamples + "/scenarios";

struct AccountRow {
  int64_t priority = 0;
  int64_t offered = 0;
  int64_t picks = 0;
};

// What the text report says, read back from its documented lines.
struct Report {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::map<std::string, AccountRow> accounts;
  int64_t failed = -1;
  std::map<std::string, int64_t> decisions;
  int64_t builtin_round_robin = -1;
  int64_t builtin_fill_first = -1;
  double jain = -1;
  double jain_offered = -1;
  double kept_percent = -1;
  int64_t moves = -1, forced = -1, unforced = -1;
  int64_t usage_records = -1, usage_calls = -1;
  std::map<std::string, int64_t> errors;  // "code (http N)" -> count

  std::string Line(const std::string& prefix) const {
    std::stringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
  }
};

void Parse(Report* r) {
  std::stringstream lines(r->out);
  std::string section;
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] != ' ') {
      section = line.substr(0, line.find(':'));
      if (std::regex_search(line, m,
                            std::regex(R"(^fairness: Jain's index ([0-9.]+) .*; ([0-9.]+) of)"))) {
        r->jain = std::stod(m[1]);
        r->jain_offered = std::stod(m[2]);
      }
      if (std::regex_search(
              line, m,
              std::regex(
                  R"(; ([0-9.]+)% kept their first account; ([0-9]+) moves?: ([0-9]+) caused by events .*, ([0-9]+) not caused)"))) {
        r->kept_percent = std::stod(m[1]);
        r->moves = std::stoll(m[2]);
        r->forced = std::stoll(m[3]);
        r->unforced = std::stoll(m[4]);
      }
      if (std::regex_search(
              line, m, std::regex(R"(^usage: ([0-9]+) records, ([0-9]+) usage.handle calls)"))) {
        r->usage_records = std::stoll(m[1]);
        r->usage_calls = std::stoll(m[2]);
      }
      continue;
    }
    std::stringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty()) continue;
    if (section == "accounts" && w[0] == "(failed)" && w.size() >= 2) {
      r->failed = std::stoll(w[1]);
    } else if (section == "accounts" && w[0] != "account" && w.size() >= 6) {
      r->accounts[w[0]] = {std::stoll(w[2]), std::stoll(w[3]), std::stoll(w[4])};
    } else if (section == "decisions" &&
               std::regex_search(
                   line, m,
                   std::regex(R"(built-in picks: round-robin ([0-9]+), fill-first ([0-9]+))"))) {
      r->builtin_round_robin = std::stoll(m[1]);
      r->builtin_fill_first = std::stoll(m[2]);
    } else if (section == "decisions" && w.size() == 3) {
      r->decisions[w[0]] = std::stoll(w[1]);
    } else if (section == "errors" &&
               std::regex_search(line, m, std::regex(R"(^  (.+?)  +([0-9]+)  )"))) {
      r->errors[m[1]] = std::stoll(m[2]);
    }
  }
}

class SimulateTest : public cpa_sched::testing::ToolTest {
 protected:
  Report Simulate(const std::string& plugin, const std::string& config, const std::string& scenario,
                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"simulate", plugin, "--scenario", scenario};
    if (!config.empty()) {
      args.push_back("--config");
      args.push_back(config);
    }
    for (std::string& e : extra) args.push_back(std::move(e));
    return Run(args);
  }

  Report Run(const std::vector<std::string>& args) {
    ToolRun run = RunTool(args);
    Report r;
    r.exit_code = run.exit_code;
    r.out = std::move(run.out);
    r.err = std::move(run.err);
    Parse(&r);
    return r;
  }

  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }
};

TEST_F(SimulateTest, SameSeedGivesByteIdenticalOutputAndReport) {
  const std::string config = kScenarios + "/configs/codex-weighted.yaml";
  const std::string scenario = kScenarios + "/codex-pool.yaml";
  const std::string html1 = dir_.File("one.html");
  const std::string html2 = dir_.File("two.html");
  Report one =
      Simulate(CLIPROXY_SCHEDULER_SO, config, scenario, {"--seed", "42", "--report", html1});
  Report two =
      Simulate(CLIPROXY_SCHEDULER_SO, config, scenario, {"--seed", "42", "--report", html2});
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.out << two.err;
  EXPECT_EQ(one.out.substr(0, one.out.rfind("report:")),
            two.out.substr(0, two.out.rfind("report:")));
  std::string report1 = ReadFile(html1);
  ASSERT_FALSE(report1.empty());
  EXPECT_EQ(report1, ReadFile(html2));
  EXPECT_TRUE(one.err.empty()) << "no progress bar when stderr is not a terminal: " << one.err;

  Report other = Simulate(CLIPROXY_SCHEDULER_SO, config, scenario, {"--seed", "43"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(one.Line("traffic:"), other.Line("traffic:"))
      << "Poisson arrivals with another seed end at another time";
  EXPECT_NE(one.Line("scenario:"), other.Line("scenario:"));
}

TEST_F(SimulateTest, TheScenarioSeedIsTheDefault) {
  const std::string scenario = kScenarios + "/codex-pool.yaml";  // seed: 1
  Report implicit = Simulate(CLIPROXY_SCHEDULER_SO, "", scenario);
  Report explicit_seed = Simulate(CLIPROXY_SCHEDULER_SO, "", scenario, {"--seed", "1"});
  ASSERT_EQ(implicit.exit_code, 0) << implicit.err;
  EXPECT_EQ(implicit.out, explicit_seed.out);
  EXPECT_NE(implicit.Line("scenario:").find("seed 1"), std::string::npos);
}

TEST_F(SimulateTest, RoundRobinConfigIsFairOverAStablePool) {
  std::string scenario = Write("steady.yaml", R"(
accounts:
  - {id: codex-a.json, provider: codex}
  - {id: codex-b.json, provider: codex}
  - {id: codex-c.json, provider: codex}
traffic:
  requests: 1000
  rate: 20
  models: [{name: gpt-5, weight: 1}, {name: gpt-5-codex, weight: 1}]
)");
  Report r =
      Simulate(CLIPROXY_SCHEDULER_SO, kScenarios + "/configs/codex-round-robin.yaml", scenario);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(r.accounts.size(), 3u) << r.out;
  int64_t low = INT64_MAX, high = 0, total = 0;
  for (const auto& [id, row] : r.accounts) {
    low = std::min(low, row.picks);
    high = std::max(high, row.picks);
    total += row.picks;
  }
  EXPECT_EQ(total, 1000);
  EXPECT_LE(high - low, 1) << "one rotation over the route's pool: " << r.out;
  EXPECT_GT(r.jain, 0.9999) << r.out;
  EXPECT_EQ(r.decisions["plugin-auth"], 1000);
}

TEST_F(SimulateTest, RoundRobinStaysFairGivenAvailabilityAcrossEvents) {
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, kScenarios + "/configs/codex-round-robin.yaml",
                      kScenarios + "/codex-pool.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(r.jain_offered, 0.99) << r.out;
  EXPECT_LT(r.jain, r.jain_offered) << "raw picks penalize the accounts that were out";
  EXPECT_LT(r.accounts["codex-b.json"].offered, 3000) << "codex-b.json cooled down";
  EXPECT_LT(r.accounts["codex-d.json"].offered, 3000) << "codex-d.json was disabled";
}

TEST_F(SimulateTest, PinnedAuthTakesEveryPickUntilAnEventRemovesItThenTheBuiltinPicks) {
  std::string config = Write("pin.yaml", "auth_id: codex-b.json\n");
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, config, kScenarios + "/codex-pool.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const AccountRow& pinned = r.accounts["codex-b.json"];
  ASSERT_GT(pinned.offered, 0) << r.out;
  ASSERT_LT(pinned.offered, 3000) << "the cooldown takes codex-b.json out: " << r.out;
  EXPECT_EQ(pinned.picks, pinned.offered) << "every request that offered it picked it";
  EXPECT_EQ(r.decisions["plugin-auth"], pinned.offered);
  EXPECT_EQ(r.decisions["unhandled"], 3000 - pinned.offered)
      << "while it is out, the reference plugin leaves the pick unhandled";
  EXPECT_EQ(r.builtin_round_robin, r.decisions["unhandled"]) << "and the host's round-robin picks";
  EXPECT_EQ(r.failed, 0);
  int64_t others = r.accounts["codex-a.json"].picks + r.accounts["codex-c.json"].picks +
                   r.accounts["codex-d.json"].picks;
  EXPECT_EQ(others, r.decisions["unhandled"]);
  EXPECT_LE(std::abs(r.accounts["codex-a.json"].picks - r.accounts["codex-c.json"].picks), 1)
      << r.out;
}

TEST_F(SimulateTest, FillFirstStrategyFlagDecidesUnhandledPicks) {
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, "", kScenarios + "/codex-pool.yaml",
                      {"--strategy", "fill-first"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.decisions["unhandled"], 3000) << "an empty configuration decides nothing";
  EXPECT_EQ(r.builtin_fill_first, 3000);
  EXPECT_EQ(r.accounts["codex-a.json"].picks, 3000) << "the first ID, always offered";
  EXPECT_NE(r.Line("traffic:").find("routing.strategy fill-first"), std::string::npos);
}

TEST_F(SimulateTest, StickyConfigKeepsSessionsAndMovesThemOnlyForEvents) {
  const std::string scenario = kScenarios + "/claude-code-sessions.yaml";
  Report sticky = Simulate(CLIPROXY_SCHEDULER_SO, kExamples + "/claude-code-sticky.yaml", scenario);
  ASSERT_EQ(sticky.exit_code, 0) << sticky.err;
  EXPECT_EQ(sticky.unforced, 0) << "no move without an event: " << sticky.out;
  EXPECT_GT(sticky.forced, 0) << "the cooldown moves the sessions on claude-max-2.json";
  EXPECT_EQ(sticky.moves, sticky.forced);
  EXPECT_GT(sticky.kept_percent, 90) << sticky.out;

  std::string rotate = Write("rotate.yaml", "delegate: round-robin\n");
  Report hopping = Simulate(CLIPROXY_SCHEDULER_SO, rotate, scenario);
  ASSERT_EQ(hopping.exit_code, 0) << hopping.err;
  EXPECT_EQ(hopping.decisions["plugin-delegate"], 2400);
  EXPECT_GT(hopping.unforced, hopping.forced) << hopping.out;
  EXPECT_LT(hopping.kept_percent, 50) << hopping.out;
}

TEST_F(SimulateTest, UsageGoesOnlyToPluginsThatDeclareUsagePlugin) {
  const std::string scenario = kScenarios + "/codex-pool.yaml";  // has a usage section
  std::string marker = dir_.File("usage-marker.txt");
  std::string declares =
      Write("declares.yaml", "capabilities: scheduler usage_plugin\nmarker: " + marker + "\n");
  Report r = Simulate(CLIPROXY_FIXTURE_SCRIPTED, declares, scenario);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.usage_records, 3000);
  EXPECT_EQ(r.usage_calls, 3000);
  std::vector<std::string> usage_lines = cliproxy::host::testing::LinesStartingWith(
      cliproxy::host::testing::ReadLines(marker), "usage.handle ");
  ASSERT_EQ(usage_lines.size(), 3000u) << "the plugin saw every record";
  const std::string& first = usage_lines.front();
  EXPECT_NE(first.find("\"Provider\":\"codex\""), std::string::npos) << first;
  EXPECT_NE(first.find("\"RequestedAt\":\"2025-06-02T09:00:"), std::string::npos) << first;
  EXPECT_TRUE(std::regex_search(first, std::regex(R"("Latency":[1-9][0-9]{8},)"))) << first;
  EXPECT_TRUE(std::regex_search(first, std::regex(R"("TotalTokens":[1-9][0-9]*)"))) << first;

  std::string marker2 = dir_.File("no-usage-marker.txt");
  std::string silent = Write("silent.yaml", "capabilities: scheduler\nmarker: " + marker2 + "\n");
  Report s = Simulate(CLIPROXY_FIXTURE_SCRIPTED, silent, scenario);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(s.usage_records, 3000);
  EXPECT_EQ(s.usage_calls, 0);
  EXPECT_NE(s.Line("usage:").find("does not declare usage_plugin"), std::string::npos);
  EXPECT_TRUE(cliproxy::host::testing::LinesStartingWith(
                  cliproxy::host::testing::ReadLines(marker2), "usage.handle")
                  .empty());
  EXPECT_EQ(s.decisions["unhandled"], 3000) << "the fixture answers unhandled by default";
}

// The requests the plugin receives, as the scripted fixture recorded them.
std::vector<cliproxy::PickRequest> RecordedPicks(const std::string& marker) {
  std::vector<cliproxy::PickRequest> out;
  for (const std::string& line : cliproxy::host::testing::LinesStartingWith(
           cliproxy::host::testing::ReadLines(marker), "scheduler.pick ")) {
    cliproxy::PickRequest request;
    EXPECT_TRUE(cliproxy::json::DecodePickRequest(line.substr(15), &request)) << line;
    out.push_back(std::move(request));
  }
  return out;
}

TEST_F(SimulateTest, PickRequestsAreBuiltAsCliProxyApiBuildsThem) {
  std::string scenario = Write("shape.yaml", R"(
accounts:
  - {id: codex-1.json, provider: Codex, priority: 5, attributes: {access_token: x, plan_type: pro}}
  - {id: codex-2.json, provider: codex}
  - {id: claude-1.json, provider: claude, models: ["claude-*"]}
  - {id: claude-off.json, provider: claude, models: ["claude-*"], status: disabled}
traffic:
  requests: 200
  rate: 10
  models: [gpt-5, claude-sonnet-4-5, {name: both, providers: [codex, claude]}]
  stream: 0.5
  sessions: {count: 5, share: 0.5, headers: [X-Claude-Code-Session-Id], metadata: [execution_session_id]}
  tenants: [{name: t, caller_scope: scope-1}]
events:
  - {at: 5s, until: 10s, account: codex-1.json}
)");
  std::string marker = dir_.File("shape-marker.txt");
  Report r =
      Simulate(CLIPROXY_FIXTURE_SCRIPTED, Write("fx.yaml", "marker: " + marker + "\n"), scenario);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<cliproxy::PickRequest> picks = RecordedPicks(marker);
  ASSERT_EQ(picks.size(), 200u);
  int with_session = 0, streams = 0, tier_changes = 0;
  for (const cliproxy::PickRequest& p : picks) {
    std::vector<std::string> ids;
    for (const cliproxy::Candidate& c : p.candidates) {
      ids.push_back(c.id);
      EXPECT_EQ(c.attributes.Find("access_token"), nullptr) << "secrets are stripped";
      EXPECT_NE(c.id, "claude-off.json") << "a disabled account is never offered";
    }
    if (p.model == "claude-sonnet-4-5") {
      EXPECT_EQ(p.provider, "claude");
      EXPECT_EQ(std::vector<std::string>(p.providers.begin(), p.providers.end()),
                std::vector<std::string>{"claude"});
      EXPECT_EQ(ids, std::vector<std::string>{"claude-1.json"});
    } else if (p.model == "gpt-5") {
      EXPECT_EQ(p.provider, "codex") << "lower-cased";
      // Only the top tier: codex-1.json (priority 5) alone, or codex-2.json while it is out.
      ASSERT_EQ(ids.size(), 1u);
      if (ids[0] == "codex-2.json") ++tier_changes;
      if (ids[0] == "codex-1.json") {
        EXPECT_EQ(p.candidates[0].priority, 5);
        ASSERT_NE(p.candidates[0].attributes.Find("priority"), nullptr);
        EXPECT_EQ(*p.candidates[0].attributes.Find("priority"), "5");
        EXPECT_EQ(p.candidates[0].provider, "codex");
      }
    } else {
      EXPECT_EQ(p.model, "both");
      EXPECT_EQ(p.provider, "") << "a mixed route";
      EXPECT_EQ(p.providers.size(), 2u);
    }
    const cliproxy::AnyValue* scope = p.options.metadata.Find("caller_scope");
    ASSERT_NE(scope, nullptr);
    EXPECT_EQ(scope->text, "scope-1");
    const cliproxy::Slice<std::string>* session =
        cliproxy::FindHeader(p.options.headers, "x-claude-code-session-id");
    const cliproxy::AnyValue* execution = p.options.metadata.Find("execution_session_id");
    EXPECT_EQ(session == nullptr, execution == nullptr);
    if (session != nullptr && execution != nullptr) {
      ++with_session;
      ASSERT_EQ(session->size(), 1u);
      EXPECT_EQ((*session)[0], execution->text);
      EXPECT_TRUE(std::regex_match(
          (*session)[0], std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                    "[0-9a-f]{12}")))
          << (*session)[0];
    }
    if (p.stream) ++streams;
  }
  EXPECT_GT(with_session, 50) << "about half the requests belong to a session";
  EXPECT_LT(with_session, 150);
  EXPECT_GT(streams, 50);
  EXPECT_LT(streams, 150);
  EXPECT_GT(tier_changes, 0) << "the lower tier is offered while codex-1.json is out";
}

TEST_F(SimulateTest, TenantPoolsKeepEachTeamOnItsAccounts) {
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, kExamples + "/tenant-pools.yaml",
                      kScenarios + "/tenants.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string acme = r.Line("  acme ");
  ASSERT_FALSE(acme.empty()) << r.out;
  EXPECT_EQ(acme.find("globex"), std::string::npos) << acme;
  EXPECT_EQ(acme.find("shared"), std::string::npos) << acme;
  EXPECT_GT(r.failed, 0) << "acme runs dry while both its accounts cool down";
  EXPECT_EQ(r.errors["tenant_exhausted (http 429)"], r.failed) << r.out;
  EXPECT_EQ(r.decisions["error"], r.failed);
  std::string others = r.Line("  others ");
  EXPECT_NE(others.find("shared-1.json"), std::string::npos) << others;
  EXPECT_EQ(others.find("acme"), std::string::npos) << others;
}

TEST_F(SimulateTest, OnlyTheHighestPriorityTierIsOffered) {
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, kExamples + "/failover.yaml",
                      kScenarios + "/priority-tiers.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const AccountRow& main = r.accounts["main.json"];
  const AccountRow& backup = r.accounts["backup-1.json"];
  EXPECT_EQ(main.priority, 10);
  EXPECT_EQ(main.offered + backup.offered, 900) << "backups only while main.json is out";
  EXPECT_EQ(backup.offered, r.accounts["backup-2.json"].offered);
  EXPECT_EQ(backup.offered, 300) << "uniform arrivals at 5/s over a 1-minute cooldown";
  EXPECT_EQ(main.picks, main.offered);
  EXPECT_EQ(backup.picks, backup.offered) << "failover order: backup-1.json first";
}

TEST_F(SimulateTest, EveryTierIsOfferedToASchedulerThatAsksForThem) {
  // A backup-first preference across tiers: only possible when the lower tier is offered.
  std::string config = Write("across.yaml",
                             "across_priorities: true\n"
                             "routes:\n  - name: backups-first\n    pool: {tiers: all}\n"
                             "    strategy: order\n    order: [backup-2.json, main.json]\n");
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, config, kScenarios + "/priority-tiers.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.accounts["backup-1.json"].offered, 900) << "offered with main.json, tier 0";
  EXPECT_EQ(r.accounts["backup-2.json"].picks, 900) << r.out;
  EXPECT_EQ(r.accounts["main.json"].offered, 600) << "out for one of the three minutes";
  EXPECT_EQ(r.accounts["main.json"].picks, 0);
}

TEST_F(SimulateTest, EveryExampleScenarioRuns) {
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".yaml") continue;
    ++scenarios;
    Report r = Simulate(CLIPROXY_SCHEDULER_SO, "", entry.path().string());
    ASSERT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.err;
    std::smatch m;
    std::string traffic = r.Line("traffic:");
    ASSERT_TRUE(std::regex_search(traffic, m, std::regex("^traffic: ([0-9]+) requests")))
        << traffic;
    int64_t requests = std::stoll(m[1]);
    int64_t picks = 0;
    for (const auto& [id, row] : r.accounts) picks += row.picks;
    EXPECT_EQ(picks + r.failed, requests) << entry.path() << "\n" << r.out;
    EXPECT_EQ(r.decisions["unhandled"], requests) << "an empty configuration decides nothing";
    EXPECT_EQ(r.builtin_round_robin, requests - r.failed);
  }
  EXPECT_GE(scenarios, 4);
}

TEST_F(SimulateTest, BadScenarioErrorsNameTheFileTheKeyAndTheLine) {
  std::string bad = Write("bad-weight.yaml", R"(accounts:
  - {id: a.json, provider: codex}
traffic:
  requests: 10
  rate: 1
  models:
    - name: gpt-5
      weight: -1
)");
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, "", bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(bad + ": traffic.models[0].weight: line 8, column 15: must be > 0"),
            std::string::npos)
      << r.err;

  std::string typo = Write("typo.yaml", R"(accounts:
  - {id: a.json, provider: codex}
traffic:
  requests: 10
  rate: 1
  models: [gpt-5]
  sesions: {count: 3}
)");
  r = Simulate(CLIPROXY_SCHEDULER_SO, "", typo);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(typo + ": traffic.sesions: line 7"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown key `sesions`"), std::string::npos) << r.err;

  std::string unknown = Write("unknown-account.yaml", R"(accounts:
  - {id: a.json, provider: codex}
traffic: {requests: 10, rate: 1, models: [gpt-5]}
events:
  - {at: 10s, until: 20s, account: b.json}
)");
  r = Simulate(CLIPROXY_SCHEDULER_SO, "", unknown);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(unknown + ": events[0].account: line 5, column"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no account has the id `b.json`"), std::string::npos) << r.err;

  std::string broken = Write("broken.yaml", "accounts: [\n");
  r = Simulate(CLIPROXY_SCHEDULER_SO, "", broken);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(broken + ": invalid YAML at line"), std::string::npos) << r.err;
}

TEST_F(SimulateTest, HtmlReportIsOneSelfContainedFileWithAChart) {
  std::string html = dir_.File("report.html");
  Report r = Simulate(CLIPROXY_SCHEDULER_SO, kScenarios + "/configs/codex-round-robin.yaml",
                      kScenarios + "/codex-pool.yaml", {"--report", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Line("report:"), "report: " + html);
  std::string page = ReadFile(html);
  ASSERT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("<polygon"), std::string::npos) << "the stacked areas";
  EXPECT_NE(page.find("simulated time"), std::string::npos) << "the x axis";
  EXPECT_NE(page.find("codex-b.json cooldown"), std::string::npos) << "the event window";
  for (const char* id : {"codex-a.json", "codex-b.json", "codex-c.json", "codex-d.json"}) {
    EXPECT_NE(page.find(std::string("</svg>") + id + "</li>"), std::string::npos)
        << "legend entry for " << id;
  }
  EXPECT_NE(page.find("Jain"), std::string::npos);
  EXPECT_NE(page.find("plugin-auth"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos) << "no external resource";
  EXPECT_EQ(page.find("href="), std::string::npos) << "no external resource";
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
}

TEST_F(SimulateTest, HelpShowsAnExample) {
  Report r = Run({"simulate", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--scenario"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Example:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpa-sched simulate ./scheduler.so"), std::string::npos) << r.out;
}

}  // namespace

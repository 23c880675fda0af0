// cpa-sched simulate --instances N, run as a program on scheduler.so with the example
// fleet-budget scenario: the memory store lets each instance spend the budget on its own,
// the Redis store holds the fleet to the budget plus the overshoot docs/state.md states;
// bad input is refused with a clear error, and a Redis password is never printed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "base/redis_server_process.hpp"
#include "check_tool_run.hpp"

namespace {

using cliproxy::test_support::ReadFile;
using cpa_sched::testing::ToolRun;

const std::string kConfig =
    std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/configs/fleet-budget.yaml";
const std::string kScenario = std::string(CLIPROXY_EXAMPLES_DIR) + "/scenarios/fleet-budget.yaml";
constexpr int kInstances = 3;

// A number the example file gives as `key: <number>` (the first one).
double ExampleNumber(const std::string& path, const std::string& key) {
  std::smatch m;
  const std::string text = ReadFile(path);
  if (!std::regex_search(text, m, std::regex("\\b" + key + ": ([0-9.]+)"))) return -1;
  return std::stod(m[1]);
}

// The spending of each account in each store's column: "<id>  <memory> (..x)  <redis> (..x)".
struct Spending {
  std::map<std::string, int64_t> memory, redis;
};

Spending ReadSpending(const ToolRun& run) {
  Spending s;
  const std::regex row(
      "^  (codex-[a-z]\\.json) +([0-9]+) \\([0-9.]+x\\) +([0-9]+) \\([0-9.]+x\\)$");
  for (const std::string& line : run.lines) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    s.memory[m[1]] = std::stoll(m[2]);
    s.redis[m[1]] = std::stoll(m[3]);
  }
  return s;
}

class SimulateFleetTest : public cpa_sched::testing::ToolTest {
 protected:
  ToolRun Fleet(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"simulate", CLIPROXY_SCHEDULER_SO, "--config",
                                     kConfig,    "--scenario",          kScenario};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool(args);
  }
};

TEST_F(SimulateFleetTest, RedisHoldsTheFleetToTheBudgetThatMemoryMultiplies) {
  ToolRun run = Fleet({"--instances", std::to_string(kInstances)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.Line("fleet: 3 instances of scheduler"), "") << run.out;
  EXPECT_NE(run.out.find("balancer round-robin"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("a redis-server of this run on 127.0.0.1:"), std::string::npos);

  // The bound of docs/state.md from the example's own numbers: an account reaches at most
  // limit + (A + N) x C, where A is what the fleet admits within one exchange interval
  // (uniform arrivals at `rate`, the store's default interval of 250 ms), N the instances
  // and C a request's tokens (fixed in the scenario).
  const double limit = ExampleNumber(kConfig, "limit");
  const double rate = ExampleNumber(kScenario, "rate");
  const double cost =
      ExampleNumber(kScenario, "input_tokens") + ExampleNumber(kScenario, "output_tokens");
  ASSERT_GT(limit, 0);
  ASSERT_GT(rate, 0);
  ASSERT_GT(cost, 0);
  const double admitted_per_exchange = std::floor(rate * 0.250) + 1;
  const double bound = limit + (admitted_per_exchange + kInstances) * cost;

  Spending s = ReadSpending(run);
  ASSERT_EQ(s.memory.size(), 2u) << run.out;
  ASSERT_EQ(s.redis.size(), 2u) << run.out;
  int64_t memory_total = 0, redis_total = 0;
  for (const auto& [account, spent] : s.memory) {
    // Each instance counts only what it sent: each spends the whole budget of each account.
    EXPECT_GE(spent, kInstances * limit) << account << "\n" << run.out;
    memory_total += spent;
  }
  for (const auto& [account, spent] : s.redis) {
    EXPECT_LE(spent, bound) << account << "\n" << run.out;
    EXPECT_GE(spent, limit) << "more demand than budget: each account spends it\n" << run.out;
    redis_total += spent;
  }
  EXPECT_GT(memory_total, 2 * redis_total) << run.out;
  EXPECT_NE(run.Line("  redis run: within the bound"), "") << run.out;
  EXPECT_NE(run.Line("  exchanges (not synced)"), "") << run.out;
  EXPECT_NE(run.out.find(" (0)\n"), std::string::npos) << "every exchange synced\n" << run.out;
}

TEST_F(SimulateFleetTest, SameSeedSameReport) {
  ToolRun a = Fleet({"--instances", "2", "--balance", "session"});
  ToolRun b = Fleet({"--instances", "2", "--balance", "session"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("balancer session"), std::string::npos) << a.out;
  // Everything but the port and the key prefix of the run's own Redis.
  auto stable = [](std::string text) {
    text = std::regex_replace(text, std::regex("127\\.0\\.0\\.1:[0-9]+"), "PORT");
    return std::regex_replace(text, std::regex("cpa-sched-simulate-[0-9a-f]+"), "PREFIX");
  };
  EXPECT_EQ(stable(a.out), stable(b.out));
}

TEST_F(SimulateFleetTest, InstancesOutOfRangeAreRefused) {
  for (const char* n : {"0", "10000", "-1"}) {
    ToolRun run = Fleet({"--instances", n});
    EXPECT_EQ(run.exit_code, 2) << n << "\n" << run.out;
    EXPECT_NE(run.err.find("--instances must be from 1 to 32"), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "") << n;
  }
  ToolRun balance = Fleet({"--instances", "2", "--balance", "sticky"});
  EXPECT_EQ(balance.exit_code, 2);
  EXPECT_NE(balance.err.find("--balance"), std::string::npos) << balance.err;
}

TEST_F(SimulateFleetTest, MissingRedisServerIsAClearError) {
  // A PATH without redis-server; the tool is named by its full path.
  std::vector<std::string> args = {"PATH=" + dir_.path(),
                                   CLIPROXY_CPA_SCHED,
                                   "simulate",
                                   CLIPROXY_SCHEDULER_SO,
                                   "--config",
                                   kConfig,
                                   "--scenario",
                                   kScenario,
                                   "--instances",
                                   "2"};
  ToolRun run = cliproxy::test_support::RunProgram("/usr/bin/env", args, dir_);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.err.find("redis-server is not on PATH"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--redis"), std::string::npos) << run.err;
}

TEST_F(SimulateFleetTest, GivenRedisIsUsedAndItsPasswordNeverPrinted) {
  cliproxy::scheduler::RedisServerProcess redis;
  std::string error;
  ASSERT_TRUE(redis.Start(dir_.path(), 0, &error)) << error;
  const std::string port = std::to_string(redis.port());

  ToolRun run = Fleet({"--instances", "2", "--redis", redis.url()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("the server given by --redis, redis://127.0.0.1:" + port + "/0"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.Line("  redis run: within the bound"), "") << run.out;

  // This server has no password: AUTH fails, the store never connects, and the report
  // says so; the password shows nowhere.
  const std::string secret = "pl4nted-s3cret";
  ToolRun denied = Fleet(
      {"--instances", "2", "--redis", "redis://user:" + secret + "@127.0.0.1:" + port + "/0"});
  EXPECT_EQ(denied.exit_code, 0) << denied.err;
  EXPECT_EQ(denied.out.find(secret), std::string::npos) << denied.out;
  EXPECT_EQ(denied.err.find(secret), std::string::npos) << denied.err;
  EXPECT_NE(denied.out.find("redis://127.0.0.1:" + port + "/0"), std::string::npos) << denied.out;
  EXPECT_NE(denied.Line("warning: "), "") << "unsynced exchanges are reported\n" << denied.out;
}

}  // namespace

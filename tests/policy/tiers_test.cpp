// across_priorities: the plugin asks the host for every priority tier, and each route's
// pool is narrowed to its own highest tier (or keeps all with `pool.tiers: all`).
#include <gtest/gtest.h>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

Candidate At(std::string id, int64_t priority) {
  Candidate c = MakeCandidate(std::move(id));
  c.priority = priority;
  return c;
}

bool DeclaresAcross(const std::string& yaml) {
  SchedulerPlugin plugin;
  LifecycleRequest request;
  request.config_yaml = yaml;
  Result<Registration> r = plugin.Register(request);
  EXPECT_TRUE(r.ok()) << yaml;
  return r.ok() && r.value().capabilities.scheduler_across_priorities;
}

TEST(Tiers, TheCapabilityIsDeclaredOnlyWhenAsked) {
  EXPECT_FALSE(DeclaresAcross(""));
  EXPECT_FALSE(DeclaresAcross("routes:\n  - name: r\n    strategy: fill-first\n"));
  EXPECT_FALSE(DeclaresAcross("across_priorities: false\n"));
  EXPECT_TRUE(DeclaresAcross("across_priorities: true\n"));
}

TEST(Tiers, ATenantPoolInALowerTierIsServedOnceEveryTierIsOffered) {
  const std::string routes =
      "routes:\n  - name: team-a\n    pool: {ids: [\"team-a-*\"]}\n    strategy: fill-first\n"
      "    error: {status: 429, code: no_credential}\n";
  // Without the capability the host offers only the top tier: the shared accounts.
  auto one_tier = Compile(routes);
  Request top_only;
  top_only.Add(At("shared-1", 10)).Add(At("shared-2", 10));
  EXPECT_EQ(PickId(*one_tier, top_only), "<error no_credential>");
  // With it, the tenant's own accounts (a lower tier) are offered too.
  auto every_tier = Compile("across_priorities: true\n" + routes);
  Request all_tiers;
  all_tiers.Add(At("shared-1", 10)).Add(At("team-a-2", 0)).Add(At("team-a-1", 0));
  EXPECT_EQ(PickId(*every_tier, all_tiers), "team-a-1");
}

TEST(Tiers, APoolIsNarrowedToItsOwnHighestTierUnlessItTakesAll) {
  Request r;
  r.Add(At("a-backup", 0)).Add(At("b-main", 5)).Add(At("c-main", 5)).Add(At("x-other", 9));
  const std::string route =
      "routes:\n  - name: r\n    pool: {ids: [\"a-*\", \"b-*\", \"c-*\"]}\n"
      "    strategy: fill-first\n";
  // x-other's tier is higher but it is not in the pool: the pool's top tier is 5.
  EXPECT_EQ(PickId(*Compile("across_priorities: true\n" + route), r), "b-main");
  // Without across_priorities the request is taken as the host's one tier, as it is.
  EXPECT_EQ(PickId(*Compile(route), r), "a-backup");
}

TEST(Tiers, TiersAllLetsAStrategyChooseAcrossTiers) {
  Request r;
  r.Add(At("backup", 0)).Add(At("main", 5));
  // Failover by preference, ignoring the tiers the accounts carry for the host.
  auto policy = Compile(
      "across_priorities: true\n"
      "routes:\n  - name: r\n    pool: {tiers: all}\n    strategy: order\n"
      "    order: [backup, main]\n");
  EXPECT_EQ(PickId(*policy, r), "backup");
  auto highest = Compile(
      "across_priorities: true\n"
      "routes:\n  - name: r\n    pool: {tiers: highest}\n    strategy: order\n"
      "    order: [backup, main]\n");
  EXPECT_EQ(PickId(*highest, r), "main");
}

TEST(Tiers, ConfigErrors) {
  EXPECT_NE(CompileError("routes:\n  - name: r\n    pool: {tiers: all}\n")
                .find("routes[0].pool.tiers: line 3, column 19: only read with "
                      "`across_priorities: true`"),
            std::string::npos)
      << CompileError("routes:\n  - name: r\n    pool: {tiers: all}\n");
  EXPECT_NE(CompileError("across_priorities: true\nroutes:\n  - name: r\n    pool: {tiers: top}\n")
                .find("unknown value \"top\" (known: highest, all)"),
            std::string::npos);
  EXPECT_NE(CompileError("across_priorities: maybe\n").find("across_priorities"),
            std::string::npos);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

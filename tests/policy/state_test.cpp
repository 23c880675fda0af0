// Route state (round-robin cursors, smooth-WRR scores, sticky bindings) belongs to the
// route's name: it is carried across a reconfigure that keeps the name and dropped for a
// route that is renamed or removed.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

std::string RoundRobin(const std::string& name, const std::string& extra = "") {
  return "routes:\n  - name: " + name + "\n    strategy: round-robin\n" + extra;
}

TEST(StateTest, RoundRobinCursorSurvivesAReconfigureThatKeepsTheName) {
  auto first = Compile(RoundRobin("r"));
  Request request({"a", "b", "c"});
  EXPECT_EQ(PickId(*first, request), "a");
  EXPECT_EQ(PickId(*first, request), "b");
  // A changed route (a new `when`) under the same name keeps the rotation.
  auto second = Compile(RoundRobin("r", "    when: {stream: false}\n"), first.get());
  EXPECT_EQ(PickId(*second, request), "c");
  EXPECT_EQ(PickId(*second, request), "a");
}

TEST(StateTest, RoundRobinCursorIsDroppedWithANewName) {
  auto first = Compile(RoundRobin("r"));
  Request request({"a", "b", "c"});
  EXPECT_EQ(PickId(*first, request), "a");
  auto renamed = Compile(RoundRobin("r-renamed"), first.get());
  EXPECT_EQ(PickId(*renamed, request), "a");
}

TEST(StateTest, StateOfARemovedRouteDoesNotComeBack) {
  auto first = Compile(RoundRobin("r"));
  Request request({"a", "b", "c"});
  EXPECT_EQ(PickId(*first, request), "a");
  auto without = Compile(RoundRobin("other"), first.get());
  auto again = Compile(RoundRobin("r"), without.get());
  EXPECT_EQ(PickId(*again, request), "a");
}

TEST(StateTest, StateOfAnotherStrategyIsNotCarried) {
  auto first = Compile(RoundRobin("r"));
  Request request({"a", "b", "c"});
  EXPECT_EQ(PickId(*first, request), "a");
  auto weighted = Compile("routes: [{name: r, strategy: weighted}]\n", first.get());
  auto back = Compile(RoundRobin("r"), weighted.get());
  EXPECT_EQ(PickId(*back, request), "a");
}

TEST(StateTest, WeightedScoresSurviveAReconfigureThatKeepsTheName) {
  const std::string yaml = "routes: [{name: w, strategy: weighted, weights: {a: 3, b: 1}}]\n";
  auto first = Compile(yaml);
  Request request({"a", "b"});
  EXPECT_EQ(PickId(*first, request), "a");
  EXPECT_EQ(PickId(*first, request), "a");
  auto second = Compile(yaml, first.get());
  EXPECT_EQ(PickId(*second, request), "b");  // the sequence a a b a goes on
  auto renamed =
      Compile("routes: [{name: w2, strategy: weighted, weights: {a: 3, b: 1}}]\n", second.get());
  EXPECT_EQ(PickId(*renamed, request), "a");
  EXPECT_EQ(PickId(*renamed, request), "a");
  EXPECT_EQ(PickId(*renamed, request), "b");
}

// A session key that `wanted` wins by rendezvous among `ids`.
std::string KeyWonBy(const std::string& wanted, const std::vector<std::string>& ids) {
  auto pure = Compile("routes: [{name: p, strategy: sticky, session: {ttl: 0}}]\n");
  for (int i = 0; i < 10'000; ++i) {
    Request r(ids);
    r.Header("Session-Id", "probe-" + std::to_string(i));
    if (PickId(*pure, r) == wanted) return "probe-" + std::to_string(i);
  }
  ADD_FAILURE() << "no key is won by " << wanted;
  return "";
}

TEST(StateTest, StickyBindingsSurviveAReconfigureThatKeepsTheName) {
  const std::string key = KeyWonBy("new", {"a", "b", "new"});
  auto first = Compile("routes: [{name: s, strategy: sticky, session: {ttl: 1h}}]\n");
  Request before({"a", "b"});
  before.Header("Session-Id", key);
  const std::string bound = PickId(*first, before);
  Request after({"a", "b", "new"});
  after.Header("Session-Id", key);
  // Same name, a new bound on sessions: the binding is kept.
  auto second =
      Compile("routes: [{name: s, strategy: sticky, session: {ttl: 1h, max_sessions: 500}}]\n",
              first.get());
  EXPECT_EQ(PickId(*second, after), bound);
  EXPECT_EQ(second->Routes().at(0).sessions, 1u);
  // Renamed: no memory, the hash decides.
  auto renamed =
      Compile("routes: [{name: s2, strategy: sticky, session: {ttl: 1h}}]\n", second.get());
  EXPECT_EQ(PickId(*renamed, after), "new");
}

TEST(StateTest, ThePluginCarriesStateAcrossReconfigure) {
  SchedulerPlugin plugin;
  LifecycleRequest config;
  config.config_yaml = RoundRobin("r");
  ASSERT_TRUE(plugin.Register(config).ok());
  Request request({"a", "b", "c"});
  EXPECT_EQ(plugin.Pick(request).value().auth_id, "a");
  config.config_yaml = RoundRobin("r", "    pool: {ids: [a, b, c]}\n");
  ASSERT_TRUE(plugin.Reconfigure(config).ok());
  EXPECT_EQ(plugin.Pick(request).value().auth_id, "b");
  // A rejected configuration changes nothing, state included, whether it is answered ok
  // (issue 10) or refused (fail_open).
  config.config_yaml = RoundRobin("r", "    pool: {ids: []}\n");
  ASSERT_TRUE(plugin.Reconfigure(config).ok());
  EXPECT_EQ(plugin.Pick(request).value().auth_id, "c");
  config.config_yaml = "fail_open: true\n" + RoundRobin("r", "    pool: {ids: []}\n");
  ASSERT_FALSE(plugin.Reconfigure(config).ok());
  EXPECT_EQ(plugin.Pick(request).value().auth_id, "a");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

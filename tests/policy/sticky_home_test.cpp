// `session.return_home` of the `sticky` strategy: a session remembers the account it was
// first bound to (its home); with `return_home: true` a session displaced by a cooldown
// goes back home once its home is offered again, and only displaced sessions move.
// Expected accounts are recorded from earlier picks, never written into the test.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::string StickyRoute(const std::string& session, const std::string& name = "s") {
  return "routes:\n  - name: " + name + "\n    strategy: sticky\n    session: " + session + "\n";
}

std::string Pick(const Policy& policy, const std::vector<std::string>& ids, const std::string& key,
                 Clock::time_point now) {
  Request r(ids);
  r.Header("X-Claude-Code-Session-Id", key);
  return Chosen(policy.Pick(r, now));
}

// The account each of `keys` gets, in order.
std::vector<std::string> PickAll(const Policy& policy, const std::vector<std::string>& ids,
                                 const std::vector<std::string>& keys, Clock::time_point now) {
  std::vector<std::string> out;
  for (const std::string& key : keys) out.push_back(Pick(policy, ids, key, now));
  return out;
}

std::vector<std::string> Without(const std::vector<std::string>& ids, const std::string& gone) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    if (id != gone) out.push_back(id);
  }
  return out;
}

// A session key that `wanted` wins by rendezvous among `ids`.
std::string KeyWonBy(const std::string& wanted, const std::vector<std::string>& ids) {
  auto pure = Compile(StickyRoute("{ttl: 0}", "probe"));
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 10'000; ++i) {
    const std::string key = "probe-" + std::to_string(i);
    if (Pick(*pure, ids, key, t0) == wanted) return key;
  }
  ADD_FAILURE() << "no key is won by " << wanted;
  return "";
}

// Binds `key` to its home "a" among `ids` at `t0`, then picks it while a is not offered
// (at `t0 + after`): returns the account it moved to ("" if either step went wrong).
std::string BindHomeThenDisplace(const Policy& policy, const std::vector<std::string>& ids,
                                 const std::string& key, Clock::time_point t0,
                                 Clock::duration after = std::chrono::seconds(1)) {
  if (Pick(policy, ids, key, t0) != "a") {
    ADD_FAILURE() << key << " was not bound to a";
    return "";
  }
  const std::string away = Pick(policy, Without(ids, "a"), key, t0 + after);
  EXPECT_NE(away, "a");
  return away;
}

// Ten Claude Code sessions spread over a, b, c; a cools down for a while, then returns.
class CooldownStory : public ::testing::TestWithParam<bool> {};

TEST_P(CooldownStory, DisplacedSessionsReturnHomeOnlyWithReturnHome) {
  const bool return_home = GetParam();
  auto policy = Compile(
      StickyRoute(std::string("{ttl: 1h, return_home: ") + (return_home ? "true" : "false") + "}"));
  const std::vector<std::string> all = {"a", "b", "c"};
  const std::vector<std::string> cooling = Without(all, "a");
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back("conversation-" + std::to_string(i));
  const Clock::time_point t0 = Clock::now();

  const std::vector<std::string> first = PickAll(*policy, all, keys, t0);
  std::set<size_t> on_a;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (first[i] == "a") on_a.insert(i);
  }
  ASSERT_FALSE(on_a.empty()) << "the story needs a session on a";
  ASSERT_LT(on_a.size(), keys.size()) << "the story needs sessions elsewhere";

  // a cools down: its sessions move to b or c, the others stay, over several turns.
  const std::vector<std::string> during = PickAll(*policy, cooling, keys, t0 + minutes(1));
  for (size_t i = 0; i < keys.size(); ++i) {
    if (on_a.count(i) != 0) {
      EXPECT_NE(during[i], "a");
    } else {
      EXPECT_EQ(during[i], first[i]) << keys[i] << " moved without cause";
    }
  }
  EXPECT_EQ(PickAll(*policy, cooling, keys, t0 + minutes(5)), during);

  // a is back.
  const std::vector<std::string> after = PickAll(*policy, all, keys, t0 + minutes(10));
  for (size_t i = 0; i < keys.size(); ++i) {
    if (return_home) {
      EXPECT_EQ(after[i], first[i]) << keys[i] << " is not on its first account";
    } else {
      EXPECT_EQ(after[i], during[i]) << keys[i] << " moved although return_home is off";
    }
  }
  // Either way the sessions stay where they are from now on.
  EXPECT_EQ(PickAll(*policy, all, keys, t0 + minutes(11)), after);
}

INSTANTIATE_TEST_SUITE_P(ReturnHome, CooldownStory, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("On") : std::string("Off");
                         });

TEST(StickyHomeTest, ManyDisplacedSessionsReturnAndNoOtherMoves) {
  auto policy = Compile(StickyRoute("{ttl: 1h, return_home: true}"));
  const std::vector<std::string> ids = Ids("acct-", 8);
  std::vector<std::string> keys;
  for (int i = 0; i < 2'000; ++i) keys.push_back("k" + std::to_string(i));
  const Clock::time_point t0 = Clock::now();
  const std::vector<std::string> first = PickAll(*policy, ids, keys, t0);
  const std::vector<std::string> during = PickAll(*policy, Without(ids, "acct-05"), keys, t0);
  const std::vector<std::string> after = PickAll(*policy, ids, keys, t0);
  int returned = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(after[i], first[i]) << keys[i];
    if (during[i] != after[i]) {
      ++returned;
      EXPECT_EQ(after[i], "acct-05") << keys[i] << " moved, but not home";
    }
  }
  // About 1 in 8 of the sessions lived on acct-05 (expected 250, standard deviation 15).
  EXPECT_NEAR(returned, 250, 75);
}

TEST(StickyHomeTest, TheHomeIsTheFirstAccountNotTheLastOne) {
  auto policy = Compile(StickyRoute("{ttl: 1h, return_home: true}"));
  const std::vector<std::string> ids = {"a", "b", "c", "d"};
  const std::string key = "hopper";
  const Clock::time_point t0 = Clock::now();
  const std::string home = Pick(*policy, ids, key, t0);
  // The home cools down: the session hops to a second account; that one cools down too.
  std::vector<std::string> pool = Without(ids, home);
  const std::string second = Pick(*policy, pool, key, t0 + seconds(1));
  ASSERT_NE(second, home);
  pool = Without(pool, second);
  const std::string third = Pick(*policy, pool, key, t0 + seconds(2));
  ASSERT_NE(third, second);
  ASSERT_NE(third, home);
  // The second account returns first: it is not home, so the session stays put.
  std::vector<std::string> with_second = pool;
  with_second.push_back(second);
  EXPECT_EQ(Pick(*policy, with_second, key, t0 + seconds(3)), third);
  // The home returns: the session goes back to it.
  EXPECT_EQ(Pick(*policy, ids, key, t0 + seconds(4)), home);
  EXPECT_EQ(Pick(*policy, ids, key, t0 + seconds(5)), home);
}

TEST(StickyHomeTest, AHomeOfferedWithWeightZeroDoesNotCallTheSessionBack) {
  auto policy = Compile(StickyRoute("{ttl: 1h, return_home: true}"));
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  const std::string away = BindHomeThenDisplace(*policy, ids, key, t0);
  ASSERT_FALSE(away.empty());
  // a is offered again, but its weight attribute excludes it.
  Request excluded({"b", "c"});
  excluded.Add(MakeCandidate("a", {{"weight", "0"}}));
  excluded.Header("X-Claude-Code-Session-Id", key);
  EXPECT_EQ(Chosen(policy->Pick(excluded, t0 + seconds(2))), away);
  // With a weight above 0 it is home again.
  EXPECT_EQ(Pick(*policy, ids, key, t0 + seconds(3)), "a");
}

TEST(StickyHomeTest, AForgottenBindingForgetsItsHome) {
  auto policy = Compile(StickyRoute("{ttl: 90s, return_home: true}"));
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  const std::string away = BindHomeThenDisplace(*policy, ids, key, t0, seconds(10));
  ASSERT_FALSE(away.empty());
  // Unused for longer than the TTL while a is still away: the binding is forgotten, and
  // the new one has its home where the session is now.
  EXPECT_EQ(Pick(*policy, {"b", "c"}, key, t0 + seconds(200)), away);
  EXPECT_EQ(Pick(*policy, ids, key, t0 + seconds(210)), away);
}

TEST(StickyHomeTest, AnEvictedBindingForgetsItsHome) {
  // One binding only: every new session evicts the previous one.
  auto policy = Compile(StickyRoute("{ttl: 1h, max_sessions: 1, return_home: true}"));
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  const std::string away = BindHomeThenDisplace(*policy, ids, key, t0);
  ASSERT_FALSE(away.empty());
  Pick(*policy, ids, "another-session", t0 + seconds(2));
  EXPECT_EQ(Pick(*policy, {"b", "c"}, key, t0 + seconds(3)), away);
  EXPECT_EQ(Pick(*policy, ids, key, t0 + seconds(4)), away);

  // The control: without the eviction the session would have gone home.
  auto control = Compile(StickyRoute("{ttl: 1h, max_sessions: 1, return_home: true}"));
  ASSERT_EQ(Pick(*control, ids, key, t0), "a");
  ASSERT_EQ(Pick(*control, {"b", "c"}, key, t0 + seconds(1)), away);
  EXPECT_EQ(Pick(*control, ids, key, t0 + seconds(4)), "a");
}

TEST(StickyHomeTest, HomesSurviveAReconfigureThatKeepsTheName) {
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  auto first = Compile(StickyRoute("{ttl: 1h, return_home: true}"));
  const std::string away = BindHomeThenDisplace(*first, ids, key, t0);
  ASSERT_FALSE(away.empty());
  // Same name and bound: the same table.
  auto same = Compile(StickyRoute("{ttl: 1h, return_home: true}"), first.get());
  EXPECT_EQ(Pick(*same, {"b", "c"}, key, t0 + seconds(2)), away);
  EXPECT_EQ(Pick(*same, ids, key, t0 + seconds(3)), "a");
}

TEST(StickyHomeTest, HomesMigrateWithTheBindingsWhenMaxSessionsChanges) {
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  auto first = Compile(StickyRoute("{ttl: 1h, return_home: true}"));
  const std::string away = BindHomeThenDisplace(*first, ids, key, t0);
  ASSERT_FALSE(away.empty());
  auto resized =
      Compile(StickyRoute("{ttl: 1h, max_sessions: 500, return_home: true}"), first.get());
  EXPECT_EQ(resized->Routes().at(0).sessions, 1u);
  // The migrated binding still points away (a is still cooling down) and still knows home.
  EXPECT_EQ(Pick(*resized, {"b", "c"}, key, t0 + seconds(2)), away);
  EXPECT_EQ(Pick(*resized, ids, key, t0 + seconds(3)), "a");
}

TEST(StickyHomeTest, TurningReturnHomeOnRecallsSessionsDisplacedBefore) {
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string key = KeyWonBy("a", ids);
  const Clock::time_point t0 = Clock::now();
  auto off = Compile(StickyRoute("{ttl: 1h}"));
  const std::string away = BindHomeThenDisplace(*off, ids, key, t0);
  ASSERT_FALSE(away.empty());
  EXPECT_EQ(Pick(*off, ids, key, t0 + seconds(2)), away);
  auto on = Compile(StickyRoute("{ttl: 1h, return_home: true}"), off.get());
  EXPECT_EQ(Pick(*on, ids, key, t0 + seconds(3)), "a");
}

TEST(StickyHomeTest, ReturnHomeNeedsMemory) {
  EXPECT_EQ(CompileError("routes:\n  - name: x\n    strategy: sticky\n"
                         "    session: {ttl: 0, return_home: true}\n"),
            "routes[0].session.return_home: line 4, column 36: return_home needs a ttl above 0 "
            "(with `ttl: 0` no binding is remembered, so no session has a home to return to)");
  // Off, or left out, it is no error; and the default ttl has memory.
  EXPECT_EQ(CompileError(StickyRoute("{ttl: 0, return_home: false}")), "");
  EXPECT_EQ(CompileError(StickyRoute("{return_home: true}")), "");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

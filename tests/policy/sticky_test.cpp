// The `sticky` strategy: weighted rendezvous hashing on a session key, optionally
// remembered for a TTL in an LRU-bounded table. Every property is measured over many
// session keys; the numbers are computed by the test, not written into it.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

using std::chrono::milliseconds;

std::string StickyConfig(const std::string& session, const std::string& extra = "") {
  return "routes:\n  - name: s\n    strategy: sticky\n    session: " + session + "\n" + extra;
}

Request WithSession(const std::vector<std::string>& ids, const std::string& key) {
  Request r(ids);
  r.Header("X-Session-Id", key);
  return r;
}

// The account chosen for each of `keys` sessions "k<i>".
std::vector<std::string> Assign(const Policy& policy, const std::vector<std::string>& ids, int keys,
                                Clock::time_point now = Clock::time_point{}) {
  std::vector<std::string> out;
  Request r = WithSession(ids, "");
  std::string& value = r.mutable_request().options.headers.entries[0].second[0];
  for (int i = 0; i < keys; ++i) {
    value = "k" + std::to_string(i);
    out.push_back(Chosen(policy.Pick(r, now)));
  }
  return out;
}

TEST(StickyTest, TheSameKeyGetsTheSameAccount) {
  auto policy = Compile(StickyConfig("{ttl: 0}"));
  const auto ids = Ids("acct-", 8);
  const std::vector<std::string> first = Assign(*policy, ids, 2000);
  // A second pass, and a second policy compiled from the same YAML (a restart), agree.
  EXPECT_EQ(Assign(*policy, ids, 2000), first);
  auto restarted = Compile(StickyConfig("{ttl: 0}"));
  EXPECT_EQ(Assign(*restarted, ids, 2000), first);
  // The host's order of candidates does not matter.
  std::vector<std::string> reversed(ids.rbegin(), ids.rend());
  EXPECT_EQ(Assign(*policy, reversed, 2000), first);
}

TEST(StickyTest, SpreadsSessionsByWeight) {
  auto policy = Compile(StickyConfig("{ttl: 0}", "    weights: {\"big\": 3, \"small\": 1}\n"));
  std::map<std::string, int> count;
  for (const std::string& id : Assign(*policy, {"big", "small"}, 10'000)) ++count[id];
  // Each key is an independent draw with p = 0.75: the standard deviation of the share
  // over 10,000 keys is 0.43%.
  EXPECT_NEAR(count["big"] / 10'000.0, 0.75, 0.02);
}

TEST(StickyTest, RemovingAnAccountMovesOnlyItsSessions) {
  auto policy = Compile(StickyConfig("{ttl: 0}"));
  const auto ids = Ids("acct-", 10);
  const std::vector<std::string> before = Assign(*policy, ids, 10'000);
  std::vector<std::string> fewer = ids;
  fewer.erase(fewer.begin() + 3);  // acct-03 is no longer offered
  const std::vector<std::string> after = Assign(*policy, fewer, 10'000);
  int on_removed = 0;
  std::map<std::string, int> moved_to;
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] == "acct-03") {
      ++on_removed;
      ++moved_to[after[i]];
    } else {
      EXPECT_EQ(after[i], before[i]) << "session k" << i << " moved without cause";
    }
  }
  // About 1/10 of the sessions were on it; they spread over the nine others.
  EXPECT_NEAR(on_removed, 1000, 100);
  EXPECT_EQ(moved_to.size(), 9u);
}

TEST(StickyTest, AddingAnAccountMovesAboutOneInNPlusOneWithoutMemory) {
  auto policy = Compile(StickyConfig("{ttl: 0}"));
  const auto ids = Ids("acct-", 10);
  const std::vector<std::string> before = Assign(*policy, ids, 10'000);
  std::vector<std::string> more = ids;
  more.push_back("acct-new");
  const std::vector<std::string> after = Assign(*policy, more, 10'000);
  int moved = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    if (after[i] != before[i]) {
      ++moved;
      EXPECT_EQ(after[i], "acct-new") << "a session moved between two old accounts";
    }
  }
  // Expected 10,000 / 11 = 909 (standard deviation 29).
  EXPECT_NEAR(moved, 909, 100);
}

TEST(StickyTest, AddingAnAccountMovesNoRememberedSession) {
  auto policy = Compile(StickyConfig("{ttl: 1h}"));
  const auto ids = Ids("acct-", 10);
  const std::vector<std::string> before = Assign(*policy, ids, 5'000);
  std::vector<std::string> more = ids;
  more.push_back("acct-new");
  EXPECT_EQ(Assign(*policy, more, 5'000), before);
  // New sessions do reach the new account, about 1 in 11 of them.
  int on_new = 0;
  Request r = WithSession(more, "");
  std::string& value = r.mutable_request().options.headers.entries[0].second[0];
  for (int i = 0; i < 5'000; ++i) {
    value = "fresh-" + std::to_string(i);
    on_new += PickId(*policy, r) == "acct-new";
  }
  EXPECT_NEAR(on_new, 5'000 / 11, 75);
}

TEST(StickyTest, RemovingAnAccountMovesOnlyItsSessionsWithMemory) {
  auto policy = Compile(StickyConfig("{ttl: 1h}"));
  const auto ids = Ids("acct-", 10);
  const std::vector<std::string> before = Assign(*policy, ids, 5'000);
  std::vector<std::string> fewer(ids.begin() + 1, ids.end());  // acct-00 leaves
  const std::vector<std::string> after = Assign(*policy, fewer, 5'000);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] != "acct-00") {
      EXPECT_EQ(after[i], before[i]) << i;
    }
    EXPECT_NE(after[i], "acct-00");
  }
}

TEST(StickyTest, ABoundAccountNoLongerOfferedIsReplacedAndTheBindingUpdated) {
  auto policy = Compile(StickyConfig("{ttl: 1h}"));
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string original = PickId(*policy, WithSession(ids, "conv-1"));
  std::vector<std::string> others;
  for (const std::string& id : ids) {
    if (id != original) others.push_back(id);
  }
  const std::string replacement = PickId(*policy, WithSession(others, "conv-1"));
  EXPECT_NE(replacement, original);
  // The original account is back, but the conversation stays where it went.
  EXPECT_EQ(PickId(*policy, WithSession(ids, "conv-1")), replacement);
}

TEST(StickyTest, WithoutMemoryTheOriginalAccountWinsAgainWhenItReturns) {
  auto policy = Compile(StickyConfig("{ttl: 0}"));
  const std::vector<std::string> ids = {"a", "b", "c"};
  const std::string original = PickId(*policy, WithSession(ids, "conv-1"));
  std::vector<std::string> others;
  for (const std::string& id : ids) {
    if (id != original) others.push_back(id);
  }
  EXPECT_NE(PickId(*policy, WithSession(others, "conv-1")), original);
  EXPECT_EQ(PickId(*policy, WithSession(ids, "conv-1")), original);
}

// A session key that the account `wanted` wins by rendezvous among `ids`.
std::string KeyWonBy(const std::string& wanted, const std::vector<std::string>& ids) {
  auto pure = Compile(StickyConfig("{ttl: 0}"));
  for (int i = 0; i < 10'000; ++i) {
    const std::string key = "probe-" + std::to_string(i);
    if (PickId(*pure, WithSession(ids, key)) == wanted) return key;
  }
  ADD_FAILURE() << "no key is won by " << wanted;
  return "";
}

TEST(StickyTest, ABindingIsForgottenAfterTheTtlWithoutUse) {
  auto policy = Compile(StickyConfig("{ttl: 90s}"));
  const std::string key = KeyWonBy("new", {"a", "b", "new"});
  const Clock::time_point t0 = Clock::now();
  const std::string bound = Chosen(policy->Pick(WithSession({"a", "b"}, key), t0));
  // Within the TTL (each use renews it), the new account does not take the session.
  EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, key), t0 + milliseconds(60'000))),
            bound);
  EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, key), t0 + milliseconds(140'000))),
            bound);
  // 90 s without use: forgotten, and the hash decides again.
  EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, key), t0 + milliseconds(231'000))),
            "new");
}

TEST(StickyTest, MemoryStaysBoundedUnderAMillionDistinctKeys) {
  auto policy = Compile(StickyConfig("{ttl: 1h, max_sessions: 1000}"));
  const std::vector<std::string> ids = {"a", "b"};
  const std::string old_key = KeyWonBy("new", {"a", "b", "new"});
  const Clock::time_point t0 = Clock::now();
  const std::string bound = Chosen(policy->Pick(WithSession(ids, old_key), t0));

  Request r = WithSession(ids, "");
  std::string& value = r.mutable_request().options.headers.entries[0].second[0];
  for (int i = 0; i < 1'000'000; ++i) {
    value = std::to_string(i);
    policy->Pick(r, t0);
  }
  EXPECT_EQ(policy->Routes().at(0).sessions, 1000u);
  // The oldest binding was evicted: the key is free to go to the new account; a recent
  // one is still remembered.
  const std::string recent_key = "999999";
  const std::string recent = Chosen(policy->Pick(WithSession(ids, recent_key), t0));
  EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, old_key), t0)), "new");
  EXPECT_NE(bound, "new");
  EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, recent_key), t0)), recent);
}

TEST(StickyTest, ASmallTableOfOneShardKeepsItsMostRecentBindings) {
  // Under 128 bindings the table has a single shard.
  for (int max_sessions : {1, 10, 127}) {
    auto policy =
        Compile(StickyConfig("{ttl: 1h, max_sessions: " + std::to_string(max_sessions) + "}"));
    const std::vector<std::string> ids = {"a", "b"};
    const Clock::time_point t0 = Clock::now();
    const std::vector<std::string> first = Assign(*policy, ids, 200, t0);
    EXPECT_EQ(policy->Routes().at(0).sessions, static_cast<size_t>(max_sessions));
    // The last session bound is remembered: a new account does not take it.
    const std::string last_key = "k199";
    EXPECT_EQ(Chosen(policy->Pick(WithSession({"a", "b", "new"}, last_key), t0)), first[199]);
  }
}

TEST(StickyTest, RequestsWithoutASessionKeyUseTheFallback) {
  auto rr = Compile(StickyConfig("{ttl: 0}"));
  Request no_key({"a", "b", "c"});
  std::vector<std::string> seq;
  for (int i = 0; i < 4; ++i) seq.push_back(PickId(*rr, no_key));
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "b", "c", "a"}));  // default: round-robin

  auto ff = Compile(StickyConfig("{ttl: 0, fallback: fill-first}"));
  EXPECT_EQ(PickId(*ff, no_key), "a");
  EXPECT_EQ(PickId(*ff, no_key), "a");
  auto deny = Compile(StickyConfig("{ttl: 0, fallback: deny}"));
  EXPECT_EQ(PickId(*deny, no_key), "<error scheduler_denied>");
}

TEST(StickyTest, FindsTheKeyInHeadersInOrderThenMetadata) {
  auto policy =
      Compile(StickyConfig("{ttl: 1h, headers: [X-First, X-Second], metadata: [conversation]}"));
  const std::vector<std::string> ids = Ids("acct-", 16);
  auto pure = Compile(StickyConfig("{ttl: 0, headers: [X-Key]}"));
  auto expected = [&](const std::string& key) {
    Request r(ids);
    r.Header("X-Key", key);
    return PickId(*pure, r);
  };
  // Several keys, so that "which key was used" shows in the accounts chosen.
  for (int i = 0; i < 20; ++i) {
    const std::string a = "first-" + std::to_string(i);
    const std::string b = "second-" + std::to_string(i);
    const std::string m = "meta-" + std::to_string(i);
    Request both(ids);
    both.Header("x-second", b).Header("X-FIRST", a).Metadata("conversation", m);
    EXPECT_EQ(PickId(*policy, both), expected(a));
    Request second_only(ids);
    second_only.Header("X-Second", b).Metadata("conversation", m);
    EXPECT_EQ(PickId(*policy, second_only), expected(b));
    Request meta_only(ids);
    meta_only.Header("X-First", "").Metadata("conversation", m);  // empty values are no key
    EXPECT_EQ(PickId(*policy, meta_only), expected(m));
  }
}

TEST(StickyTest, DefaultKeysCoverClaudeCodeAndTheHostsExecutionSession) {
  auto policy = Compile("routes: [{name: s, strategy: sticky}]\n");
  const std::vector<std::string> ids = Ids("acct-", 16);
  std::map<std::string, int> distinct;
  for (int i = 0; i < 50; ++i) {
    Request claude(ids);
    claude.Header("X-Claude-Code-Session-Id", "cc-" + std::to_string(i));
    const std::string first = PickId(*policy, claude);
    EXPECT_EQ(PickId(*policy, claude), first);
    ++distinct[first];
    Request host(ids);
    host.Metadata("execution_session_id", "exec-" + std::to_string(i));
    const std::string chosen = PickId(*policy, host);
    EXPECT_EQ(PickId(*policy, host), chosen);
  }
  // Different sessions land on different accounts.
  EXPECT_GT(distinct.size(), 8u);
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// Compile errors name the path and position of the key at fault, and a bad configuration
// leaves the previous policy in force.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// Expects compiling `yaml` to fail with a message containing `expected`.
void ExpectError(const std::string& yaml, const std::string& expected) {
  const std::string error = CompileError(yaml);
  EXPECT_NE(error.find(expected), std::string::npos)
      << "error: " << error << "\nexpected to contain: " << expected;
}

TEST(ConfigErrorsTest, UnknownStrategyNamesThePathAndLine) {
  ExpectError(
      R"(routes:
  - name: a
  - name: b
  - name: c
    strategy: stcky
)",
      "routes[2].strategy: line 5, column 15: unknown strategy \"stcky\" (known: order, "
      "fill-first, round-robin, weighted, sticky, least-used, fastest, headroom, delegate, deny, "
      "pass)");
}

TEST(ConfigErrorsTest, RouteNamesAreRequiredAndUnique) {
  ExpectError("routes:\n  - strategy: pass\n",
              "routes[0]: line 2, column 5: a route needs a `name`");
  ExpectError("routes:\n  - name: x\n  - name: x\n",
              "routes[1].name: line 3, column 11: duplicate route name \"x\" (first used at "
              "routes[0])");
}

TEST(ConfigErrorsTest, UnknownKeysAreRefusedInsideRoutes) {
  ExpectError("routes:\n  - name: x\n    stratgy: sticky\n",
              "routes[0].stratgy: line 3, column 14: unknown route key `stratgy`");
  ExpectError("routes:\n  - name: x\n    when: {model: [a]}\n",
              "routes[0].when.model: line 3, column 19: unknown key `model` in `when`");
  ExpectError("routes:\n  - name: x\n    pool: {id: [a]}\n", "unknown key `id` in `pool`");
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {ttl: 1h, max: 3}\n",
              "unknown key `max` in `session`");
}

TEST(ConfigErrorsTest, KeysOfAnotherStrategyAreRefused) {
  ExpectError("routes:\n  - name: x\n    strategy: round-robin\n    order: [a]\n",
              "routes[0].order: line 4, column 12: `order` is only read by strategy `order`, and "
              "this route uses `round-robin`");
  ExpectError("routes:\n  - name: x\n    weights: {a: 2}\n",
              "routes[0].weights: line 3, column 14: `weights` is only read by strategy "
              "`weighted` or `sticky`, and this route uses `round-robin`");
  ExpectError("routes:\n  - name: x\n    strategy: weighted\n    session: {ttl: 0}\n",
              "`session` is only read by strategy `sticky`");
  ExpectError("routes:\n  - name: x\n    strategy: fill-first\n    delegate: fill-first\n",
              "`delegate` is only read by strategy `delegate`");
  ExpectError("routes:\n  - name: x\n    when_empty: pass\n    error: {status: 429}\n",
              "routes[0].error: line 4, column 12: `error` is only used by strategy `deny` and by "
              "`when_empty: deny`");
  // A sticky route's fallback counts: `order` is read when the fallback is `order`.
  EXPECT_EQ(CompileError("routes:\n  - name: x\n    strategy: sticky\n    session: {fallback: "
                         "order}\n    order: [a]\n"),
            "");
}

TEST(ConfigErrorsTest, BadValuesNameTheirKey) {
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {ttl: 1y}\n",
              "routes[0].session.ttl: line 4, column 20: invalid duration \"1y\": unknown unit");
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {ttl: -5m}\n",
              "invalid duration \"-5m\": negative");
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {max_sessions: 0}\n",
              "routes[0].session.max_sessions: line 4, column 29: must be between 1 and 100000000");
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {fallback: sticky}\n",
              "routes[0].session.fallback: line 4, column 25: strategy \"sticky\" cannot be a "
              "fallback");
  ExpectError("routes:\n  - name: x\n    strategy: sticky\n    session: {fallback: rr}\n",
              "routes[0].session.fallback: line 4, column 25: unknown strategy \"rr\"");
  ExpectError("routes:\n  - name: x\n    when: {models: [\"a\\\\\"]}\n",
              "routes[0].when.models: line 3, column 20: glob \"a\\\" ends with a lone backslash");
  ExpectError("routes:\n  - name: x\n    pool: {ids: []}\n",
              "routes[0].pool.ids: line 3, column 17: an empty list matches nothing");
  ExpectError(
      "routes:\n  - name: x\n    strategy: sticky\n    session: {headers: [], metadata: []}\n",
      "routes[0].session: line 4, column 14: needs at least one of `headers` and "
      "`metadata`");
}

TEST(ConfigErrorsTest, TypeErrorsComeFromTheYamlReaderWithTheirPosition) {
  ExpectError("routes:\n  - name: x\n    when: {stream: maybe}\n",
              "routes[0].when.stream: line 3, column 20: expected a boolean");
  ExpectError("routes:\n  - name: x\n    strategy: deny\n    error: {status: loud}\n",
              "routes[0].error.status: line 4, column 21: expected an integer");
  ExpectError("routes:\n  - name: x\n    strategy: weighted\n    weights: {a: heavy}\n",
              "routes[0].weights.a: line 4, column 18: expected a number");
  ExpectError("routes: {name: x}\n", "routes: line 1, column 9: expected a sequence");
}

TEST(ConfigErrorsTest, DurationsAcceptTheUsualForms) {
  for (const char* ttl : {"0", "90s", "30m", "1h", "1h30m", "500ms", "2d", "3600", "1.5h"}) {
    EXPECT_EQ(CompileError(std::string("routes: [{name: x, strategy: sticky, session: {ttl: ") +
                           ttl + "}}]\n"),
              "")
        << ttl;
  }
  for (const char* ttl : {"h", "1h30", "1 h", "1hh", "."}) {
    EXPECT_NE(CompileError(std::string("routes: [{name: x, strategy: sticky, session: {ttl: \"") +
                           ttl + "\"}}]\n"),
              "")
        << ttl;
  }
}

TEST(ConfigErrorsTest, ABadConfigurationKeepsThePreviousPolicy) {
  SchedulerPlugin plugin;
  LifecycleRequest good;
  good.config_yaml = "routes: [{name: ff, strategy: fill-first}]\n";
  ASSERT_TRUE(plugin.Register(good).ok());
  LifecycleRequest bad;
  bad.config_yaml = "routes: [{name: ff, strategy: stcky}]\n";
  // Answered ok (issue 10: the host would drop a plugin that refuses), reported, kept out.
  Result<Registration> r = plugin.Reconfigure(bad);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(plugin.rejection().find("routes[0].strategy: line 1, column 31: unknown strategy "
                                    "\"stcky\""),
            std::string::npos)
      << plugin.rejection();
  Result<PickResult> pick = plugin.Pick(Request({"b", "a"}));
  ASSERT_TRUE(pick.ok());
  EXPECT_EQ(pick.value().auth_id, "a");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// Route matching: `when` (models, providers, headers, metadata, stream), `pool` (ids,
// attributes, statuses), glob syntax, and route order.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// A policy whose only route answers "hit" when `when` matches (fill-first over one
// account); "<unhandled>" means it did not match.
std::string Hit(const std::string& when, const PickRequest& request) {
  auto policy = Compile("routes:\n  - name: r\n    strategy: fill-first\n    when: " + when + "\n");
  return PickId(*policy, request);
}

TEST(MatchingTest, ModelsAreGlobsAnyOf) {
  EXPECT_EQ(Hit("{models: [\"claude-*\"]}", Request({"hit"}).Model("claude-opus-4")), "hit");
  EXPECT_EQ(Hit("{models: [\"gpt-?\", \"o3\"]}", Request({"hit"}).Model("gpt-5")), "hit");
  EXPECT_EQ(Hit("{models: [\"gpt-?\", \"o3\"]}", Request({"hit"}).Model("o3")), "hit");
  EXPECT_EQ(Hit("{models: [\"gpt-?\", \"o3\"]}", Request({"hit"}).Model("gpt-55")), "<unhandled>");
  EXPECT_EQ(Hit("{models: [\"*-mini\"]}", Request({"hit"}).Model("o4-mini")), "hit");
  EXPECT_EQ(Hit("{models: [\"*sonnet*4*\"]}", Request({"hit"}).Model("claude-sonnet-4-5")), "hit");
  // Case-sensitive, and a literal star can be escaped.
  EXPECT_EQ(Hit("{models: [\"Claude-*\"]}", Request({"hit"}).Model("claude-x")), "<unhandled>");
  EXPECT_EQ(Hit("{models: [\"a\\\\*\"]}", Request({"hit"}).Model("a*")), "hit");
  EXPECT_EQ(Hit("{models: [\"a\\\\*\"]}", Request({"hit"}).Model("ab")), "<unhandled>");
}

TEST(MatchingTest, ProvidersMatchTheProviderOrAnyOfProviders) {
  EXPECT_EQ(Hit("{providers: [codex]}", Request({"hit"}).Provider("codex", {"codex"})), "hit");
  // A mixed route: Provider is empty, Providers lists them.
  EXPECT_EQ(Hit("{providers: [gemini]}", Request({"hit"}).Provider("", {"claude", "gemini"})),
            "hit");
  EXPECT_EQ(Hit("{providers: [codex]}", Request({"hit"}).Provider("", {"claude", "gemini"})),
            "<unhandled>");
  EXPECT_EQ(Hit("{providers: [Claude]}", Request({"hit"}).Provider("claude", {})), "hit");
}

TEST(MatchingTest, HeaderNamesAreCaseInsensitiveAndValuesAreGlobs) {
  EXPECT_EQ(Hit("{headers: {X-Tenant: team-a}}", Request({"hit"}).Header("x-tenant", "team-a")),
            "hit");
  EXPECT_EQ(Hit("{headers: {x-tenant: \"team-*\"}}", Request({"hit"}).Header("X-Tenant", "team-b")),
            "hit");
  EXPECT_EQ(Hit("{headers: {X-Tenant: team-a}}", Request({"hit"}).Header("X-Tenant", "team-b")),
            "<unhandled>");
  // Any of the header's values, and any of the listed globs.
  Request multi({"hit"});
  Slice<std::string> values;
  values.push_back("x");
  values.push_back("team-c");
  multi.mutable_request().options.headers.entries.emplace_back("X-Tenant", values);
  EXPECT_EQ(Hit("{headers: {X-Tenant: [team-a, team-c]}}", multi), "hit");
}

TEST(MatchingTest, HeaderStarMeansPresent) {
  EXPECT_EQ(Hit("{headers: {X-Debug: \"*\"}}", Request({"hit"}).Header("X-Debug", "")), "hit");
  EXPECT_EQ(Hit("{headers: {X-Debug: \"*\"}}", Request({"hit"})), "<unhandled>");
}

TEST(MatchingTest, EveryGivenConditionMustHold) {
  const std::string when =
      "{models: [\"claude-*\"], headers: {X-Tenant: a}, metadata: {tier: gold}, stream: true}";
  Request all({"hit"});
  all.Model("claude-x").Header("X-Tenant", "a").Metadata("tier", "gold").Stream(true);
  EXPECT_EQ(Hit(when, all), "hit");
  Request not_stream = all;
  not_stream.Stream(false);
  EXPECT_EQ(Hit(when, not_stream), "<unhandled>");
  Request wrong_model = all;
  wrong_model.Model("gpt-5");
  EXPECT_EQ(Hit(when, wrong_model), "<unhandled>");
  Request no_meta({"hit"});
  no_meta.Model("claude-x").Header("X-Tenant", "a").Stream(true);
  EXPECT_EQ(Hit(when, no_meta), "<unhandled>");
}

TEST(MatchingTest, MetadataMatchesStringsAndTheJsonTextOfOtherValues) {
  EXPECT_EQ(Hit("{metadata: {caller_scope: \"3f9a*\"}}",
                Request({"hit"}).Metadata("caller_scope", "3f9a01bc")),
            "hit");
  EXPECT_EQ(Hit("{metadata: {caller_scope: \"3f9a*\"}}",
                Request({"hit"}).Metadata("caller_scope", "77aa")),
            "<unhandled>");
  EXPECT_EQ(Hit("{metadata: {retries: \"2\"}}",
                Request({"hit"}).MetadataJson("retries", AnyValue::Kind::kNumber, "2")),
            "hit");
  EXPECT_EQ(Hit("{metadata: {flag: \"true\"}}",
                Request({"hit"}).MetadataJson("flag", AnyValue::Kind::kBool, "true")),
            "hit");
  // null is absent, even for "*".
  EXPECT_EQ(Hit("{metadata: {k: \"*\"}}",
                Request({"hit"}).MetadataJson("k", AnyValue::Kind::kNull, "null")),
            "<unhandled>");
}

TEST(MatchingTest, StreamFlag) {
  EXPECT_EQ(Hit("{stream: false}", Request({"hit"}).Stream(false)), "hit");
  EXPECT_EQ(Hit("{stream: false}", Request({"hit"}).Stream(true)), "<unhandled>");
}

TEST(MatchingTest, NoWhenMatchesEverything) {
  auto policy = Compile("routes: [{name: all, strategy: fill-first}]\n");
  EXPECT_EQ(PickId(*policy, Request({"z", "y"}).Model("anything").Stream(true)), "y");
}

TEST(MatchingTest, ThePoolFiltersByIdsAttributesAndStatuses) {
  auto policy = Compile(R"(
routes:
  - name: r
    strategy: fill-first
    pool:
      ids: ["claude-*", "extra.json"]
      attributes: {plan_type: ["max*", "pro"], region: "*"}
      statuses: [active]
)");
  Request request;
  request.Add(MakeCandidate("claude-a", {{"plan_type", "free"}, {"region", "eu"}}));
  request.Add(MakeCandidate("claude-b", {{"plan_type", "max20"}}));  // no region
  request.Add(MakeCandidate("claude-c", {{"plan_type", "max5"}, {"region", "us"}}, "error"));
  request.Add(MakeCandidate("other-d", {{"plan_type", "pro"}, {"region", "us"}}));  // id
  request.Add(MakeCandidate("extra.json", {{"plan_type", "pro"}, {"region", "eu"}}, "Active"));
  request.Add(MakeCandidate("claude-z", {{"plan_type", "max5"}, {"region", "us"}}));
  // Only extra.json and claude-z pass every filter; fill-first takes the lower ID.
  EXPECT_EQ(PickId(*policy, request), "claude-z");
  request.mutable_request().candidates.pop_back();
  EXPECT_EQ(PickId(*policy, request), "extra.json");
}

TEST(MatchingTest, TheFirstRouteThatMatchesDecides) {
  auto policy = Compile(R"(
routes:
  - name: tenant-a
    when: {headers: {X-Tenant: a}}
    pool: {ids: ["a-*"]}
    strategy: fill-first
  - name: claude
    when: {models: ["claude-*"]}
    pool: {ids: ["shared-*"]}
    strategy: fill-first
)");
  Request request({"shared-1", "a-1"});
  EXPECT_EQ(PickId(*policy, Request(request).Header("X-Tenant", "a")), "a-1");
  EXPECT_EQ(PickId(*policy, Request(request).Model("claude-opus-4")), "shared-1");
  Decision none = policy->Pick(Request(request).Model("gemini-2.5-pro"));
  EXPECT_EQ(none.kind, Decision::Kind::kUnhandled);
  EXPECT_EQ(none.rule, "");
}

TEST(MatchingTest, GlobCornerCases) {
  auto policy = Compile(R"(
routes:
  - name: r
    strategy: fill-first
    pool: {ids: ["a*b*c", "??", "x**y"]}
    when_empty: pass
)");
  auto only = [&](const std::string& id) { return PickId(*policy, Request({id})); };
  EXPECT_EQ(only("abc"), "abc");
  EXPECT_EQ(only("a-b-b-c"), "a-b-b-c");
  EXPECT_EQ(only("a-b-c-d"), "<unhandled>");
  EXPECT_EQ(only("a-c"), "<unhandled>");
  EXPECT_EQ(only("ac"), "ac");  // "??"
  EXPECT_EQ(only("zz"), "zz");
  EXPECT_EQ(only("zzz"), "<unhandled>");
  EXPECT_EQ(only("xy"), "xy");
  EXPECT_EQ(only("x123y"), "x123y");
  EXPECT_EQ(only(""), "<unhandled>");
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// A policy decodes only the parts of a pick it reads (Policy::fields()). Checked through
// behaviour: a pick body decoded through SchedulerPlugin::PickBody must give each route
// what it reads (headers, metadata, attributes, providers), and nothing else is stored.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"
#include "scheduler/scheduler_plugin.hpp"

namespace cliproxy::scheduler::testing {
namespace {

// Picks through the plugin's wire path with `yaml` registered.
std::string PickThroughPlugin(const std::string& yaml, const PickRequest& request) {
  SchedulerPlugin plugin;
  LifecycleRequest config;
  config.config_yaml = yaml;
  EXPECT_TRUE(plugin.Register(config).ok()) << yaml;
  Result<PickResult> r = plugin.PickBody(json::EncodePickRequest(request));
  if (!r.ok()) return "<error " + r.error().code + ">";
  if (!r.value().handled) return "<unhandled>";
  return r.value().auth_id.empty() ? "<delegate " + r.value().delegate_builtin + ">"
                                   : r.value().auth_id;
}

TEST(FieldsTest, RoutesGetTheHeadersTheyRead) {
  const std::string yaml =
      "routes: [{name: r, when: {headers: {X-Tenant: a}}, strategy: fill-first}]\n";
  EXPECT_EQ(PickThroughPlugin(yaml, Request({"z", "y"}).Header("X-Tenant", "a")), "y");
  EXPECT_TRUE(Compile(yaml)->fields().headers);
  EXPECT_FALSE(Compile(yaml)->fields().request_metadata);
  EXPECT_FALSE(Compile(yaml)->fields().candidate_attributes);
}

TEST(FieldsTest, RoutesGetTheMetadataTheyRead) {
  const std::string yaml =
      "routes: [{name: r, when: {metadata: {caller_scope: k1}}, strategy: fill-first}]\n";
  EXPECT_EQ(PickThroughPlugin(yaml, Request({"z", "y"}).Metadata("caller_scope", "k1")), "y");
  EXPECT_EQ(PickThroughPlugin(yaml, Request({"z", "y"}).Metadata("caller_scope", "k2")),
            "<unhandled>");
  EXPECT_FALSE(Compile(yaml)->fields().headers);
}

TEST(FieldsTest, RoutesGetTheAttributesTheyRead) {
  const std::string pool =
      "routes: [{name: r, pool: {attributes: {plan_type: max}}, strategy: fill-first}]\n";
  Request request;
  request.Add(MakeCandidate("a", {{"plan_type", "pro"}}));
  request.Add(MakeCandidate("b", {{"plan_type", "max"}}));
  EXPECT_EQ(PickThroughPlugin(pool, request), "b");

  const std::string weighted = "routes: [{name: r, strategy: weighted}]\n";
  Request weighted_request;
  weighted_request.Add(MakeCandidate("a", {{"weight", "0"}}));
  weighted_request.Add(MakeCandidate("b", {{"weight", "1"}}));
  EXPECT_EQ(PickThroughPlugin(weighted, weighted_request), "b");
  // A `weights` map that covers every ID never reads the attribute.
  EXPECT_FALSE(Compile("routes: [{name: r, strategy: weighted, weights: {'*': 1}}]\n")
                   ->fields()
                   .candidate_attributes);
}

TEST(FieldsTest, RoutesGetTheProvidersTheyRead) {
  const std::string yaml =
      "routes: [{name: r, when: {providers: [gemini]}, strategy: fill-first}]\n";
  EXPECT_EQ(PickThroughPlugin(yaml, Request({"z", "y"}).Provider("", {"claude", "gemini"})), "y");
  EXPECT_FALSE(Compile("routes: [{name: r, when: {models: [a]}}]\n")->fields().providers);
}

TEST(FieldsTest, StickyReadsItsSessionSources) {
  const std::string yaml =
      "routes: [{name: r, strategy: sticky, session: {headers: [X-S], metadata: [m], ttl: 0}, "
      "weights: {'*': 1}}]\n";
  const json::PickFields f = Compile(yaml)->fields();
  EXPECT_TRUE(f.headers);
  EXPECT_TRUE(f.request_metadata);
  EXPECT_FALSE(f.candidate_attributes);
  EXPECT_FALSE(f.providers);
  // Same key through the wire path gives the same account as through the typed path.
  auto policy = Compile(yaml);
  const std::vector<std::string> ids = Ids("acct-", 12);
  for (int i = 0; i < 20; ++i) {
    Request r(ids);
    r.Metadata("m", "session-" + std::to_string(i));
    EXPECT_EQ(PickThroughPlugin(yaml, r), PickId(*policy, r));
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

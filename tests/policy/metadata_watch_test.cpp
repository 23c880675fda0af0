// The metadata watch: routes that match on a metadata key the host does not send never
// match (CLIProxyAPI v7.1.57 sends no caller_scope); the first picks tell, and the policy
// reports it once, naming keys, never values.
#include <gtest/gtest.h>

#include "policy_test_util.hpp"

namespace cliproxy::scheduler::testing {
namespace {

const std::string kTenants = R"(
routes:
  - name: acme
    when: {metadata: {caller_scope: "3f9a*"}}
    pool: {ids: ["acme-*"]}
  - name: beta
    when: {metadata: {caller_scope: "77c1*", service_tier: "priority"}}
    pool: {ids: ["beta-*"]}
)";

// What CLIProxyAPI v7.1.57 sends (testdata/real/pick-3-v7.1.57.json), with values that
// must never reach a report.
Request OldHost() {
  Request r({"acme-1", "beta-1"});
  r.Metadata("request_path", "/v1/secret-path-value");
  r.Metadata("requested_model", "secret-model-value");
  r.Metadata("service_tier", "secret-tier-value");
  r.MetadataJson("nothing", AnyValue::Kind::kNull, "null");
  return r;
}

TEST(MetadataWatchTest, ReportsOnceWhenTheFirstPicksLackAWatchedKey) {
  auto policy = Compile(kTenants);
  for (int i = 1; i < MetadataWatch::kPicks; ++i) {
    EXPECT_FALSE(policy->WatchMetadata(OldHost()).has_value()) << "pick " << i;
  }
  std::optional<MetadataWatch::Report> report = policy->WatchMetadata(OldHost());
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->missing, std::vector<std::string>{"caller_scope"});
  // A null value is not sent.
  EXPECT_EQ(report->sent,
            (std::vector<std::string>{"request_path", "requested_model", "service_tier"}));
  EXPECT_EQ(report->message,
            "scheduler: routes match on request metadata key caller_scope (routes[0] acme, "
            "routes[1] beta), but the host sent it in none of the first 10 picks; it sends "
            "request_path, requested_model, service_tier. These routes never match on this "
            "host: their picks fall to later routes, then to the host's own strategy "
            "(no_route: pass). CLIProxyAPI v7.2.140 sends caller_scope, v7.1.57 does not (see "
            "the README's compatibility table).");
  EXPECT_EQ(report->message.find("secret"), std::string::npos);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(policy->WatchMetadata(OldHost()).has_value());
}

TEST(MetadataWatchTest, AKeySentInAnyOfTheFirstPicksIsNotReported) {
  auto policy = Compile(kTenants);
  for (int i = 0; i < MetadataWatch::kPicks; ++i) {
    Request r = OldHost();
    if (i == 7) r.Metadata("caller_scope", "3f9a0000");
    EXPECT_FALSE(policy->WatchMetadata(r).has_value()) << "pick " << i;
  }
}

TEST(MetadataWatchTest, SaysWhatNoRouteDoesWithThePicks) {
  auto policy = Compile(kTenants + "no_route: {action: deny, error: {code: unknown_tenant}}\n");
  std::optional<MetadataWatch::Report> report;
  for (int i = 0; i < MetadataWatch::kPicks; ++i) report = policy->WatchMetadata(Request({"a"}));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->missing, (std::vector<std::string>{"caller_scope", "service_tier"}));
  EXPECT_TRUE(report->sent.empty());
  EXPECT_NE(report->message.find("it sends no metadata"), std::string::npos) << report->message;
  EXPECT_NE(report->message.find("then fail with unknown_tenant"), std::string::npos)
      << report->message;
}

TEST(MetadataWatchTest, AReconfigureWithTheSameKeysDoesNotReportAgain) {
  auto first = Compile(kTenants);
  for (int i = 0; i < MetadataWatch::kPicks - 1; ++i) first->WatchMetadata(OldHost());
  // CLIProxyAPI reconfigures five times at start: the count goes on.
  auto second = Compile(kTenants, first.get());
  EXPECT_TRUE(second->WatchMetadata(OldHost()).has_value());
  auto third = Compile(kTenants, second.get());
  for (int i = 0; i < 2 * MetadataWatch::kPicks; ++i) {
    EXPECT_FALSE(third->WatchMetadata(OldHost()).has_value());
  }
  // A new key is a new question.
  auto other = Compile(kTenants + R"(  - name: gamma
    when: {metadata: {tenant: "g"}}
)",
                       third.get());
  std::optional<MetadataWatch::Report> report;
  for (int i = 0; i < MetadataWatch::kPicks; ++i) report = other->WatchMetadata(OldHost());
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->missing, (std::vector<std::string>{"caller_scope", "tenant"}));
}

TEST(MetadataWatchTest, RoutesThatDoNotMatchOnMetadataAreNotWatched) {
  auto policy = Compile("routes:\n  - name: all\n    strategy: fill-first\n");
  for (int i = 0; i < 2 * MetadataWatch::kPicks; ++i) {
    EXPECT_FALSE(policy->WatchMetadata(Request({"a"})).has_value());
  }
}

}  // namespace
}  // namespace cliproxy::scheduler::testing

// The bodies a running CLIProxyAPI passed to a scheduler plugin (testdata/real/, captured
// from v7.2.140 and v7.1.57), replayed byte for byte into scheduler.so through the C ABI,
// with the configurations operators write for them. See testdata/README.md, `real/`.
#include <gtest/gtest.h>

#include <string>

#include "scheduler_so.hpp"
#include "support/files.hpp"

namespace cliproxy::abi_test {
namespace {

using test_support::ReadTestData;

// caller_scope of the client key `client-a` in the captured v7.2.140 bodies.
constexpr const char* kClientA = "8b11f98566caf3f06c384fc1094ae7ae1845c42fd86e4eb7787e876a8f0993cf";

// Two tenants on the mock provider: client-a owns the five accounts whose IDs start with
// "openai-compatibility:mock:0", client-b the ones starting with "...:f". The route
// matches on Providers: the v7.2.140 request's Provider is "" (a mixed route).
std::string Tenants(const std::string& client_a_ids = "openai-compatibility:mock:0*") {
  return std::string(
             "no_route:\n"
             "  action: deny\n"
             "  error: {status: 403, code: unknown_tenant, message: no account pool}\n"
             "routes:\n"
             "  - name: client-a\n"
             "    when:\n"
             "      providers: [openai-compatible-mock]\n"
             "      metadata: {caller_scope: \"") +
         kClientA +
         "\"}\n"
         "    pool: {ids: [\"" +
         client_a_ids +
         "\"]}\n"
         "    error: {status: 429, code: tenant_exhausted, message: client-a has no account}\n"
         "  - name: client-b\n"
         "    when: {metadata: {caller_scope: \"0000*\"}}\n"
         "    pool: {ids: [\"openai-compatibility:mock:f*\"]}\n";
}

class RealProxyTest : public ::testing::Test {
 protected:
  void Configure(const std::string& yaml) {
    Reply r = so_.Register(LifecycleBody(yaml));
    ASSERT_EQ(r.rc, 0) << r.body;
    ASSERT_TRUE(ReadEnvelope(r.body).ok) << r.body;
  }
  Reply PickFile(const std::string& name) { return so_.Pick(ReadTestData("real/" + name)); }
  Reply Usage(const std::string& name) {
    return so_.Call("usage.handle", ReadTestData("real/" + name));
  }

  SchedulerSo so_;
};

TEST_F(RealProxyTest, TheCapturedBodiesAreWhatTheReadmeSays) {
  EXPECT_EQ(ReadTestData("real/pick-100.json").size(), 39'741u);  // 39.7 KB for 100 accounts
}

TEST_F(RealProxyTest, ATenantIsServedFromItsOwnPoolInRotation) {
  Configure(Tenants());
  // Candidates arrive sorted by ID; round-robin starts at the smallest of the pool.
  EXPECT_EQ(PickFile("pick-100.json").body, AuthReply("openai-compatibility:mock:04c445cdefc9"));
  EXPECT_EQ(PickFile("pick-100.json").body, AuthReply("openai-compatibility:mock:05109fae7a1f"));
}

TEST_F(RealProxyTest, ATenantWithAnEmptyPoolFailsClosed) {
  Configure(Tenants("acme-*"));
  Reply r = PickFile("pick-100.json");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.body, R"({"ok":false,"error":{"code":"tenant_exhausted","message":"client-a has no )"
                    R"(account","http_status":429}})");
}

// Issue 10, as it happened: with tenant pools active, a bad edit (`deny: 1`) made the real
// proxy drop the plugin and serve the empty-pool tenant from every account.
TEST_F(RealProxyTest, ABadEditKeepsTheEmptyPoolTenantFailingClosed) {
  Configure(Tenants("acme-*"));
  const std::string before = PickFile("pick-100.json").body;
  Reply edit = so_.Reconfigure(LifecycleBody(Tenants("acme-*") + "deny: 1\n"));
  EXPECT_EQ(edit.rc, 0) << edit.body;
  EXPECT_TRUE(ReadEnvelope(edit.body).ok) << edit.body;
  EXPECT_EQ(PickFile("pick-100.json").body, before);
  EXPECT_NE(before.find("tenant_exhausted"), std::string::npos);
}

TEST_F(RealProxyTest, ACallerNoRouteKnowsIsRefusedWithNoRoute) {
  // The captured caller (client-a) is unknown to a configuration that has only client-b.
  Configure(
      "no_route: {action: deny, error: {status: 403, code: unknown_tenant, message: no pool}}\n"
      "routes:\n"
      "  - name: client-b\n"
      "    when: {metadata: {caller_scope: \"0000*\"}}\n");
  EXPECT_EQ(PickFile("pick-3-session.json").body,
            R"({"ok":false,"error":{"code":"unknown_tenant","message":"no pool",)"
            R"("http_status":403}})");
}

// v7.1.57 sends no caller_scope: tenant routes never match there. With no_route deny the
// plugin fails closed instead of letting the host pick from every account.
TEST_F(RealProxyTest, OnV7_1_57TenantRoutesNeverMatchAndNoRouteDenies) {
  Configure(Tenants());
  EXPECT_EQ(PickFile("pick-3-v7.1.57.json").body,
            R"({"ok":false,"error":{"code":"unknown_tenant","message":"no account pool",)"
            R"("http_status":403}})");
  // Without no_route the host's own strategy would pick (the reference's behaviour).
  Configure(Tenants().substr(Tenants().find("routes:")));
  EXPECT_EQ(PickFile("pick-3-v7.1.57.json").body, UnhandledReply());
}

// v7.1.57 names the provider by its compat name (`mock`), v7.2.140 by its key
// (`openai-compatible-mock`) and leaves Provider empty: a route for both lists both.
TEST_F(RealProxyTest, ProviderNamesDifferBetweenVersions) {
  Configure(
      "routes:\n"
      "  - name: mock\n"
      "    when: {providers: [openai-compatible-mock, mock]}\n"
      "    strategy: fill-first\n");
  EXPECT_EQ(PickFile("pick-3-v7.1.57.json").body,
            AuthReply("openai-compatibility:mock:07158a548610"));
  EXPECT_EQ(PickFile("pick-3-session.json").body,
            AuthReply("openai-compatibility:mock:1a8246e9e0cc"));
  Configure("routes:\n  - name: new\n    when: {providers: [openai-compatible-mock]}\n");
  EXPECT_EQ(PickFile("pick-3-v7.1.57.json").body, UnhandledReply());
}

TEST_F(RealProxyTest, TheSessionHeaderKeepsAConversationOnOneAccount) {
  Configure("routes:\n  - name: sticky\n    strategy: sticky\n    session: {ttl: 1h}\n");
  const std::string first = PickFile("pick-3-session.json").body;
  ASSERT_NE(first.find("\"Handled\":true"), std::string::npos) << first;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(PickFile("pick-3-session.json").body, first);
}

// The captured records: 1a8246e9e0cc served a streaming request, cf174162095b a plain one,
// 15 tokens each; 3d9233d4956c nothing.
TEST_F(RealProxyTest, RecordsOfStreamingAndPlainRequestsSteerLeastUsed) {
  Configure("routes:\n  - name: spread\n    strategy: least-used\n");
  for (const char* name : {"usage-stream.json", "usage-nonstream.json"}) {
    Reply r = Usage(name);
    EXPECT_EQ(r.rc, 0) << name << ": " << r.body;
    EXPECT_EQ(r.body, R"({"ok":true,"result":{}})") << name;
  }
  EXPECT_EQ(PickFile("pick-3-session.json").body,
            AuthReply("openai-compatibility:mock:3d9233d4956c"));
}

TEST_F(RealProxyTest, RecordsOfStreamingAndPlainRequestsSteerFastest) {
  Configure("routes:\n  - name: quick\n    strategy: fastest\n    latency: {explore: 0}\n");
  ASSERT_EQ(Usage("usage-stream.json").rc, 0);     // 1a82...: 1.07 ms
  ASSERT_EQ(Usage("usage-nonstream.json").rc, 0);  // cf17...: 0.33 ms
  // The account never measured is valued at the best average and tried first; then the
  // fastest measured one.
  EXPECT_EQ(PickFile("pick-3-session.json").body,
            AuthReply("openai-compatibility:mock:3d9233d4956c"));
  EXPECT_EQ(PickFile("pick-3-session.json").body,
            AuthReply("openai-compatibility:mock:cf174162095b"));
}

}  // namespace
}  // namespace cliproxy::abi_test

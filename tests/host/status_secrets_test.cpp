// No secret on the status page: secrets planted in every input scheduler.so receives --
// the client's Authorization and API key headers, client keys in request metadata, session
// keys, candidates' attributes, usage records' APIKey, Source and failure bodies, the
// configuration, and the management request's own headers and query -- never appear in
// what it outputs: the status JSON, the HTML page, the management registration and the
// host log.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cliproxy/host/management_router.hpp"
#include "cliproxy/host/plugin_host.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

const std::vector<std::string> kSecrets = {
    "sk-PLANTED-bearer-1f2e", "client-key-PLANTED-77", "scope-PLANTED-3f9a",
    "session-PLANTED-9a9a",   "upstream-PLANTED-3333", "apikey-PLANTED-5150",
    "source-PLANTED-4242",    "failbody-PLANTED-6060", "cfgsecret-PLANTED-abcd",
    "mgmt-key-PLANTED-0000",  "cookie-PLANTED-1212",   "query-PLANTED-8787",
    "ratelimit-PLANTED-4545"};

// Valid configuration that carries secrets where an operator might: a header value and a
// metadata value to match (a tenant's client key), and keys the plugin ignores.
const char kConfig[] = R"(enabled: true
priority: 1
api_key: cfgsecret-PLANTED-abcd
routes:
  - name: tenant
    when: {headers: {X-Api-Key: "client-key-PLANTED-77"}}
    strategy: sticky
    session: {headers: [X-Session-Id], ttl: 1h}
  - name: scoped
    when: {metadata: {caller_scope: "scope-PLANTED-3f9a"}}
    strategy: least-used
  - name: rest
    strategy: fastest
)";

PickRequest SecretPick(const std::string& session) {
  PickRequest request = testing::MakeRequest(
      {testing::MakeCandidate("acct-a.json"), testing::MakeCandidate("acct-b.json")});
  for (Candidate& c : request.candidates) c.attributes.Set("api_key", "upstream-PLANTED-3333");
  request.options.headers.Set("Authorization", {"Bearer sk-PLANTED-bearer-1f2e"});
  request.options.headers.Set("X-Api-Key", {"client-key-PLANTED-77"});
  request.options.headers.Set("X-Session-Id", {session});
  request.options.metadata.Set("client_api_key", AnyValue::String("client-key-PLANTED-77"));
  return request;
}

UsageRecord SecretRecord(const std::string& auth, int status) {
  UsageRecord r;
  r.provider = "codex";
  r.auth_id = auth;
  r.api_key = "apikey-PLANTED-5150";
  r.source = "source-PLANTED-4242";
  r.latency_ns = 5'000'000;
  r.failed = status != 0;
  r.failure.status_code = status;
  r.failure.body = "failbody-PLANTED-6060";
  r.response_headers.Set("Retry-After", {"30"});
  r.response_headers.Set("X-Echo", {"ratelimit-PLANTED-4545"});
  r.detail.total_tokens = 10;
  return r;
}

std::string Everything(PluginHost& host, ManagementRouter& router) {
  std::string all;
  ManagementRequest request;
  request.method = "GET";
  request.headers.Set("Authorization", {"Bearer mgmt-key-PLANTED-0000"});
  request.headers.Set("Cookie", {"session=cookie-PLANTED-1212"});
  request.query.Set("key", {"query-PLANTED-8787"});
  for (const ManagementEntry& e : router.Entries()) {
    request.path = e.path;
    std::optional<ManagementResponse> response = router.Serve(request);
    EXPECT_TRUE(response) << e.path;
    if (!response) continue;
    EXPECT_EQ(response->status_code, 200) << e.path;
    all += response->body;
    for (const auto& [name, values] : response->headers) {
      for (const std::string& v : values) all += name + ": " + v + "\n";
    }
  }
  // The registration itself (paths, menus), as the host's management panel reads it.
  std::optional<CallReply> reg = host.Call(
      "scheduler", "management.register",
      R"({"BasePath":"/v0/management","ResourceBasePath":"/v0/resource/plugins/scheduler"})");
  if (reg) all += reg->body;
  for (const LogEntry& entry : host.Logs()) {
    all += entry.message + "\n";
    for (const auto& [key, value] : entry.fields) all += key + "=" + value + "\n";
  }
  return all;
}

TEST(StatusSecrets, NoPlantedSecretReachesTheJsonThePageTheRegistrationOrTheLog) {
  PluginHost host;
  PluginSettings settings;
  settings.priority = 1;
  settings.config_yaml = kConfig;
  ASSERT_TRUE(host.Load("scheduler", CLIPROXY_SCHEDULER_SO, settings).ok());
  ManagementRouter router(host);
  ASSERT_TRUE(router.Rebuild().empty());
  ASSERT_EQ(router.Entries().size(), 2u);

  for (const char* session : {"session-PLANTED-9a9a", "session-PLANTED-9a9a-2"}) {
    ASSERT_TRUE(host.Pick(SecretPick(session)).ok());
  }
  PickRequest scoped = SecretPick("");
  scoped.options.headers.Clear();
  scoped.options.metadata.Set("caller_scope", AnyValue::String("scope-PLANTED-3f9a"));
  ASSERT_TRUE(host.Pick(scoped).ok());
  PickRequest plain = SecretPick("");
  plain.options.headers.Set("X-Api-Key", {"another-key"});
  ASSERT_TRUE(host.Pick(plain).ok());
  EXPECT_GT(host.DeliverUsage(SecretRecord("acct-a.json", 0)), 0u);
  EXPECT_GT(host.DeliverUsage(SecretRecord("acct-b.json", 429)), 0u);

  // A configuration rejected for a value that is a secret: the page names the key, line
  // and column, never the value. (The plugin's host.log line for a rejection quotes the
  // offending value, as documented in the README, so only the page outputs are searched
  // for this one.)
  PluginSettings bad = settings;
  bad.config_yaml = std::string(kConfig) + "deny: \"rejected-PLANTED-2525\"\n";
  ASSERT_TRUE(host.Reconfigure("scheduler", bad).ok());  // answered ok: the last good stays
  ASSERT_TRUE(router.Rebuild().empty());

  const std::string all = Everything(host, router);
  // The outputs did carry the status: the search looked at something real.
  ASSERT_NE(all.find("\"name\":\"tenant\""), std::string::npos) << all;
  ASSERT_NE(all.find("acct-a.json"), std::string::npos);
  ASSERT_NE(all.find("\"rejected_count\":1"), std::string::npos);
  ASSERT_NE(all.find("<title>Scheduler status</title>"), std::string::npos);
  for (const std::string& secret : kSecrets) {
    EXPECT_EQ(all.find(secret), std::string::npos) << "planted secret " << secret << " leaked";
    // Not even a fragment of it (the planted marker with its tail).
    EXPECT_EQ(all.find(secret.substr(secret.find("PLANTED"))), std::string::npos) << secret;
  }

  std::string pages;
  ManagementRequest request;
  request.method = "GET";
  for (const ManagementEntry& e : router.Entries()) {
    request.path = e.path;
    pages += router.Serve(request)->body;
  }
  EXPECT_EQ(pages.find("rejected-PLANTED-2525"), std::string::npos);
  EXPECT_NE(pages.find("deny: line "), std::string::npos) << pages.substr(0, 800);
}

}  // namespace
}  // namespace cliproxy::host

// The status page through the C ABI: scheduler.so declares management_api, registers a JSON
// route and an HTML resource, and after a known pattern of picks, usage records and
// reconfigurations its JSON says exactly what happened.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

const char kConfig[] = R"(routes:
  - name: blocked
    when: {models: [blocked-*]}
    strategy: deny
    error: {status: 429, code: over_budget, message: "no more today"}
  - name: spread
    when: {providers: [codex]}
    strategy: round-robin
  - name: budget
    when: {providers: [claude]}
    strategy: least-used
    usage: {window: 1h, measure: tokens}
  - name: chats
    when: {providers: [gemini]}
    strategy: sticky
    session: {headers: [X-Session-Id], ttl: 1h}
)";

std::string Pick(const std::string& provider, const std::string& model,
                 const std::vector<std::string>& ids, const std::string& session = "") {
  std::string body = "{\"Provider\":\"" + provider + "\",\"Providers\":[\"" + provider +
                     "\"],\"Model\":\"" + model + "\",\"Options\":{\"Headers\":{";
  if (!session.empty()) body += "\"X-Session-Id\":[\"" + session + "\"]";
  body += "}},\"Candidates\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    body += std::string(i ? "," : "") + "{\"ID\":\"" + ids[i] + "\",\"Provider\":\"" + provider +
            "\",\"Status\":\"active\"}";
  }
  return body + "]}";
}

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Record(const std::string& auth, int64_t tokens, int status = 0,
                   const std::string& retry_after = "") {
  std::string r = "{\"Provider\":\"claude\",\"AuthID\":\"" + auth + "\",\"RequestedAt\":\"" +
                  NowRfc3339() +
                  "\",\"Latency\":1000000,\"Failed\":" + (status ? "true" : "false") +
                  ",\"Failure\":{\"StatusCode\":" + std::to_string(status) +
                  "},\"Detail\":{\"TotalTokens\":" + std::to_string(tokens) + "}";
  if (!retry_after.empty()) r += ",\"ResponseHeaders\":{\"Retry-After\":[\"" + retry_after + "\"]}";
  return r + "}";
}

std::string ManagementRequest(const std::string& method, const std::string& path) {
  return "{\"Method\":\"" + method + "\",\"Path\":\"" + path +
         "\",\"Headers\":{\"Authorization\":[\"Bearer m\"]},\"Query\":{},\"Body\":null}";
}

// A management.handle reply: status, Content-Type and the decoded body.
struct Page {
  int status = 0;
  std::string content_type;
  std::string body;
};

Page Handle(const SchedulerSo& so, const std::string& method, const std::string& path) {
  Reply reply = so.Call("management.handle", ManagementRequest(method, path));
  EXPECT_EQ(reply.rc, 0) << reply.body;
  Envelope env = ReadEnvelope(reply.body);
  EXPECT_TRUE(env.ok) << reply.body;
  rapidjson::Document d;
  d.Parse(env.result.c_str());
  Page page;
  if (!d.IsObject()) return page;
  page.status = d["StatusCode"].GetInt();
  if (d["Headers"].IsObject() && d["Headers"].HasMember("Content-Type")) {
    page.content_type = d["Headers"]["Content-Type"][0].GetString();
  }
  if (d["Body"].IsString()) {
    // Go's []byte: standard base64.
    const std::string b64 = d["Body"].GetString();
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    for (char c : b64) {
      if (c == '=') break;
      acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(c));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        page.body.push_back(static_cast<char>((acc >> bits) & 0xFF));
      }
    }
  }
  return page;
}

const char kJsonPath[] = "/v0/management/plugins/scheduler/status";
const char kPagePath[] = "/v0/resource/plugins/scheduler/status";

const rapidjson::Value* RouteNamed(const rapidjson::Document& d, const std::string& name) {
  for (const auto& r : d["routes"].GetArray()) {
    if (name == r["name"].GetString()) return &r;
  }
  return nullptr;
}

const rapidjson::Value* AccountNamed(const rapidjson::Value& route, const std::string& id) {
  for (const auto& a : route["accounts"].GetArray()) {
    if (id == a["id"].GetString()) return &a;
  }
  return nullptr;
}

TEST(AbiStatus, DeclaresManagementApiAndRegistersARouteAndAMenuPage) {
  SchedulerSo so;
  Envelope reg = ReadEnvelope(so.Register(LifecycleBody(kConfig)).body);
  ASSERT_TRUE(reg.ok);
  EXPECT_NE(reg.result.find(R"("management_api":true)"), std::string::npos) << reg.result;
  // The reference registration stays available: status_page: false.
  Envelope plain = ReadEnvelope(so.Reconfigure(LifecycleBody("status_page: false\n")).body);
  EXPECT_NE(plain.result.find(R"("capabilities":{"scheduler":true}})"), std::string::npos);
  EXPECT_NE(ReadEnvelope(so.Call("management.register", "{}").body).code, "");  // unknown now

  ASSERT_TRUE(ReadEnvelope(so.Reconfigure(LifecycleBody(kConfig)).body).ok);
  Reply reply = so.Call("management.register",
                        R"({"Plugin":{"Name":"scheduler"},"BasePath":"/v0/management",)"
                        R"("ResourceBasePath":"/v0/resource/plugins/sched-b"})");
  Envelope env = ReadEnvelope(reply.body);
  ASSERT_TRUE(env.ok) << reply.body;
  EXPECT_EQ(env.result,
            R"({"routes":[{"Method":"GET","Path":"/v0/management/plugins/sched-b/status",)"
            R"("Description":"Scheduler status as JSON: decisions per route and account since )"
            R"(start"}],"resources":[{"Path":"/v0/resource/plugins/sched-b/status",)"
            R"("Menu":"Scheduler status","Description":"Live view of the scheduler plugin: )"
            R"(routes, accounts, shares, decisions"}]})");
  // The page fetches the JSON route the host was told about.
  Page page = Handle(so, "GET", "/v0/resource/plugins/sched-b/status");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find(R"(const STATUS_URL = "/v0/management/plugins/sched-b/status";)"),
            std::string::npos);
  // Self-contained: no external script, style, font or image.
  for (const char* external : {"src=\"http", "href=\"http", "@import", "url(", "<link"}) {
    EXPECT_EQ(page.body.find(external), std::string::npos) << external;
  }
  EXPECT_EQ(Handle(so, "GET", "/v0/management/plugins/sched-b/status").status, 200);
  EXPECT_EQ(Handle(so, "GET", kJsonPath).status, 404);  // the old ID's path is gone
  EXPECT_EQ(Handle(so, "POST", "/v0/management/plugins/sched-b/status").status, 405);
}

TEST(AbiStatus, TheJsonCountsAKnownTrafficPattern) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody(kConfig)).body).ok);
  // 9 round-robin picks over three accounts: 3 each.
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(ReadEnvelope(so.Pick(Pick("codex", "gpt-5", {"a", "b", "c"})).body).ok);
  }
  // least-used: x gets the first pick; its record (900 tokens) sends the next two to y.
  ASSERT_EQ(so.Pick(Pick("claude", "sonnet", {"x", "y"})).body, AuthReply("x"));
  ASSERT_TRUE(ReadEnvelope(so.Call("usage.handle", Record("x", 900)).body).ok);
  ASSERT_EQ(so.Pick(Pick("claude", "sonnet", {"x", "y"})).body, AuthReply("y"));
  ASSERT_TRUE(ReadEnvelope(so.Call("usage.handle", Record("y", 100)).body).ok);
  ASSERT_EQ(so.Pick(Pick("claude", "sonnet", {"x", "y"})).body, AuthReply("y"));
  // A 429 with Retry-After on x: a cooldown of two minutes.
  ASSERT_TRUE(ReadEnvelope(so.Call("usage.handle", Record("x", 0, 429, "120")).body).ok);
  // Two denied, one left to the host (no route matches).
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ReadEnvelope(so.Pick(Pick("codex", "blocked-1", {"a"})).body).code, "over_budget");
  }
  ASSERT_EQ(so.Pick(Pick("other", "m", {"a"})).body, UnhandledReply());
  // Sticky: three sessions; s1 loses its account once and moves.
  std::string s1_account;
  for (const char* s : {"s1", "s2", "s3"}) {
    Envelope e = ReadEnvelope(so.Pick(Pick("gemini", "pro", {"g1", "g2"}, s)).body);
    ASSERT_TRUE(e.ok);
    if (std::string(s) == "s1")
      s1_account = e.result.find("\"g1\"") != std::string::npos ? "g1" : "g2";
  }
  const std::string other = s1_account == "g1" ? "g2" : "g1";
  ASSERT_EQ(so.Pick(Pick("gemini", "pro", {other}, "s1")).body, AuthReply(other));

  Page page = Handle(so, "GET", kJsonPath);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "application/json");
  rapidjson::Document d;
  d.Parse(page.body.c_str());
  ASSERT_TRUE(d.IsObject()) << page.body;

  const auto& counters = d["counters"];
  EXPECT_EQ(counters["picks"].GetUint64(), 9u + 3 + 2 + 1 + 4);
  EXPECT_EQ(counters["auth"].GetUint64(), 16u);
  EXPECT_EQ(counters["errors"].GetUint64(), 2u);
  EXPECT_EQ(counters["unhandled"].GetUint64(), 1u);
  EXPECT_EQ(counters["usage_records"].GetUint64(), 3u);
  EXPECT_EQ(d["config"]["generation"].GetUint64(), 1u);
  EXPECT_TRUE(d["config"]["last_rejected"].IsNull());
  EXPECT_EQ(d["sessions"]["count"].GetUint64(), 3u);
  EXPECT_EQ(d["sessions"]["moves"].GetUint64(), 1u);

  const rapidjson::Value* spread = RouteNamed(d, "spread");
  ASSERT_NE(spread, nullptr);
  EXPECT_STREQ((*spread)["strategy"].GetString(), "round-robin");
  EXPECT_EQ((*spread)["picks"].GetUint64(), 9u);
  EXPECT_EQ((*spread)["errors"].GetUint64(), 0u);
  for (const char* id : {"a", "b", "c"}) {
    const rapidjson::Value* a = AccountNamed(*spread, id);
    ASSERT_NE(a, nullptr) << id;
    EXPECT_EQ((*a)["picks"].GetUint64(), 3u);
    EXPECT_NEAR((*a)["share"].GetDouble(), 1.0 / 3, 1e-4);
    EXPECT_TRUE((*a)["window"].IsNull());  // round-robin keeps no usage window
  }
  EXPECT_STREQ((*spread)["last_decision"]["kind"].GetString(), "auth");

  const rapidjson::Value* budget = RouteNamed(d, "budget");
  ASSERT_NE(budget, nullptr);
  EXPECT_EQ((*budget)["picks"].GetUint64(), 3u);
  const rapidjson::Value* x = AccountNamed(*budget, "x");
  const rapidjson::Value* y = AccountNamed(*budget, "y");
  ASSERT_TRUE(x && y);
  EXPECT_EQ((*x)["picks"].GetUint64(), 1u);
  EXPECT_EQ((*y)["picks"].GetUint64(), 2u);
  EXPECT_NEAR((*y)["share"].GetDouble(), 2.0 / 3, 1e-4);
  EXPECT_EQ((*x)["window"]["seconds"].GetInt64(), 3600);
  EXPECT_EQ((*x)["window"]["requests"].GetInt64(), 2);  // the 900-token record and the 429
  EXPECT_EQ((*x)["window"]["tokens"].GetInt64(), 900);
  EXPECT_EQ((*y)["window"]["tokens"].GetInt64(), 100);
  EXPECT_EQ((*y)["in_flight"].GetInt64(), 1);  // y's second pick has no record yet
  EXPECT_EQ((*x)["records"].GetUint64(), 2u);
  EXPECT_EQ((*x)["failures"].GetUint64(), 1u);
  ASSERT_TRUE((*x)["cooldown_until_ms"].IsInt64());
  const int64_t left_ms = (*x)["cooldown_until_ms"].GetInt64() - d["plugin"]["now_ms"].GetInt64();
  EXPECT_GT(left_ms, 100'000);
  EXPECT_LE(left_ms, 120'000);
  EXPECT_TRUE((*y)["cooldown_until_ms"].IsNull());
  EXPECT_TRUE((*x)["quota"].IsArray());  // no quota tracker plugged in: no windows

  const rapidjson::Value* blocked = RouteNamed(d, "blocked");
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ((*blocked)["errors"].GetUint64(), 2u);
  EXPECT_STREQ((*blocked)["last_decision"]["kind"].GetString(), "error");
  EXPECT_STREQ((*blocked)["last_decision"]["what"].GetString(), "over_budget");
  EXPECT_EQ((*blocked)["last_decision"]["http_status"].GetInt(), 429);
  EXPECT_EQ((*blocked)["error_codes"][0]["count"].GetUint64(), 2u);

  const rapidjson::Value* chats = RouteNamed(d, "chats");
  ASSERT_NE(chats, nullptr);
  EXPECT_EQ((*chats)["sessions"].GetUint64(), 3u);
  EXPECT_EQ((*chats)["session_moves"].GetUint64(), 1u);

  // The chart holds every decision made just now.
  uint64_t charted = 0;
  for (const auto& b : d["timeline"]["buckets"].GetArray()) {
    for (int k = 1; k <= 4; ++k) charted += b[k].GetUint64();
  }
  EXPECT_EQ(charted, counters["picks"].GetUint64());
}

TEST(AbiStatus, CountsSurviveAReconfigureAndARejectedConfigurationIsShownWithoutItsValues) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody(kConfig)).body).ok);
  for (int i = 0; i < 4; ++i) so.Pick(Pick("codex", "gpt-5", {"a", "b"}));
  // A good reconfigure keeping the route's name keeps its counts.
  ASSERT_TRUE(ReadEnvelope(so.Reconfigure(LifecycleBody(kConfig)).body).ok);
  // A bad one: rejected, the last good one stays; the page names key, line and column.
  ASSERT_TRUE(ReadEnvelope(so.Reconfigure(LifecycleBody("deny: not-a-bool-value\n")).body).ok);
  rapidjson::Document d;
  d.Parse(Handle(so, "GET", kJsonPath).body.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["config"]["generation"].GetUint64(), 2u);
  EXPECT_EQ(d["config"]["rejected_count"].GetUint64(), 1u);
  const std::string error = d["config"]["last_rejected"]["error"].GetString();
  EXPECT_EQ(error.rfind("deny: line 1, column 7: ", 0), 0u) << error;
  EXPECT_EQ(error.find("not-a-bool-value"), std::string::npos) << error;
  EXPECT_TRUE(d["config"]["last_rejected"]["latest"].GetBool());
  EXPECT_FALSE(d["config"]["fails_closed"].GetBool());
  EXPECT_EQ(RouteNamed(d, "spread")->operator[]("picks").GetUint64(), 4u);
}

TEST(AbiStatus, BeforeAnyConfigurationThePageAnswersAndSaysSo) {
  SchedulerSo so;
  // No registration yet: the method is unknown (the host never asks before one).
  EXPECT_EQ(
      ReadEnvelope(so.Call("management.handle", ManagementRequest("GET", kJsonPath)).body).code,
      "unknown_method");
  // A configuration that fails closed still serves the page, and says it fails closed.
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody("routes: 7\n")).body).ok);
  rapidjson::Document d;
  d.Parse(Handle(so, "GET", kJsonPath).body.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_TRUE(d["config"]["fails_closed"].GetBool());
  EXPECT_EQ(d["config"]["generation"].GetUint64(), 0u);
  EXPECT_EQ(d["config"]["rejected_count"].GetUint64(), 1u);
}

TEST(AbiStatus, BadManagementBodiesAreInvalidRequests) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody("")).body).ok);
  Reply reply = so.Call("management.handle", R"({"Body":"%%%"})");
  EXPECT_EQ(reply.rc, 1);
  EXPECT_EQ(ReadEnvelope(reply.body).code, "invalid_request");
  EXPECT_EQ(Handle(so, "GET", "/v0/management/plugins/scheduler/other").status, 404);
}

TEST(AbiStatus, ABasePathThatIsNotASingleSlashPathIsNotUsed) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody(kConfig)).body).ok);
  // "//evil.example/..." is a protocol-relative URL: the page would send the management key
  // to that host. The default paths are registered instead.
  Reply reply = so.Call("management.register",
                        R"({"Plugin":{"Name":"scheduler"},"BasePath":"//evil.example/v0",)"
                        R"("ResourceBasePath":"//evil.example/plugins/scheduler"})");
  Envelope env = ReadEnvelope(reply.body);
  ASSERT_TRUE(env.ok) << reply.body;
  EXPECT_EQ(env.result.find("evil"), std::string::npos) << env.result;
  EXPECT_NE(env.result.find(std::string("\"Path\":\"") + kJsonPath + "\""), std::string::npos)
      << env.result;
  Page page = Handle(so, "GET", kPagePath);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(std::string("const STATUS_URL = \"") + kJsonPath + "\";"),
            std::string::npos);
  EXPECT_EQ(page.body.find("evil.example"), std::string::npos);
}

TEST(AbiStatus, TheJsonListsAtMost200AccountsPerRouteAndCountsTheRest) {
  SchedulerSo so;
  ASSERT_TRUE(ReadEnvelope(so.Register(LifecycleBody(kConfig)).body).ok);
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "acct-%03d", i);
    ids.push_back(id);
  }
  // Round-robin over 250 accounts, 300 picks: the first 50 twice, the other 200 once.
  const std::string body = Pick("codex", "gpt-5", ids);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(ReadEnvelope(so.Pick(body).body).ok);
  Page page = Handle(so, "GET", kJsonPath);
  ASSERT_EQ(page.status, 200);
  rapidjson::Document d;
  d.Parse(page.body.c_str());
  ASSERT_TRUE(d.IsObject()) << page.body.substr(0, 200);
  const rapidjson::Value* spread = RouteNamed(d, "spread");
  ASSERT_NE(spread, nullptr);
  EXPECT_EQ((*spread)["picks"].GetUint64(), 300u);
  EXPECT_EQ((*spread)["accounts"].Size(), 200u);
  EXPECT_EQ((*spread)["accounts_total"].GetUint64(), 250u);
  EXPECT_EQ((*spread)["accounts_omitted"].GetUint64(), 50u);
  EXPECT_EQ((*spread)["accounts_omitted_picks"].GetUint64(), 50u);
  // The most picked first; shares are of all the route's picks.
  uint64_t listed = 0, twice = 0;
  for (const auto& a : (*spread)["accounts"].GetArray()) {
    listed += a["picks"].GetUint64();
    twice += a["picks"].GetUint64() == 2 ? 1 : 0;
  }
  EXPECT_EQ(twice, 50u);
  EXPECT_EQ(listed, 250u);
  EXPECT_EQ((*spread)["accounts"][0]["share"].GetDouble(), 0.0067);
  // A route with few accounts lists them all.
  const rapidjson::Value* budget = RouteNamed(d, "budget");
  ASSERT_NE(budget, nullptr);
  EXPECT_EQ((*budget)["accounts_omitted"].GetUint64(), 0u);
  EXPECT_EQ((*budget)["accounts_total"].GetUint64(), 0u);
}

TEST(AbiStatus, AHeadroomRouteShowsWhatTheRateLimitHeadersSaid) {
  SchedulerSo so;
  ASSERT_TRUE(
      ReadEnvelope(
          so.Register(LifecycleBody("routes:\n  - name: plans\n    strategy: headroom\n")).body)
          .ok);
  ASSERT_TRUE(ReadEnvelope(so.Pick(Pick("claude", "opus", {"p1", "p2"})).body).ok);
  // p1's plan window: 40% of the 5-hour window used, resetting in an hour.
  const int64_t reset_s =
      std::chrono::duration_cast<std::chrono::seconds>(
          (std::chrono::system_clock::now() + std::chrono::hours(1)).time_since_epoch())
          .count();
  std::string record = Record("p1", 100);
  record.pop_back();
  record +=
      ",\"ResponseHeaders\":{\"Anthropic-Ratelimit-Unified-5h-Utilization\":[\"0.4\"],"
      "\"Anthropic-Ratelimit-Unified-5h-Reset\":[\"" +
      std::to_string(reset_s) + "\"],\"Anthropic-Ratelimit-Unified-5h-Status\":[\"allowed\"]}}";
  ASSERT_TRUE(ReadEnvelope(so.Call("usage.handle", record).body).ok);
  ASSERT_TRUE(ReadEnvelope(so.Pick(Pick("claude", "opus", {"p1", "p2"})).body).ok);

  Page page = Handle(so, "GET", kJsonPath);
  ASSERT_EQ(page.status, 200);
  rapidjson::Document d;
  d.Parse(page.body.c_str());
  ASSERT_TRUE(d.IsObject()) << page.body;
  const rapidjson::Value* route = RouteNamed(d, "plans");
  ASSERT_NE(route, nullptr) << page.body;
  const rapidjson::Value* p1 = AccountNamed(*route, "p1");
  ASSERT_NE(p1, nullptr) << page.body;
  ASSERT_EQ((*p1)["quota"].Size(), 1u) << page.body;
  const rapidjson::Value& window = (*p1)["quota"][0];
  EXPECT_STREQ(window["name"].GetString(), "rate-limit headers");
  EXPECT_DOUBLE_EQ(window["used"].GetDouble(), 0.4);
  EXPECT_EQ(window["reset_ms"].GetInt64(), reset_s * 1000);
  EXPECT_FALSE(window["rejected"].GetBool());
}

}  // namespace
}  // namespace cliproxy::abi_test

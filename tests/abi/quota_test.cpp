// Quota-aware scheduling through the C ABI: usage records with each upstream's rate-limit
// headers (as CLIProxyAPI passes them in ResponseHeaders) steer `headroom` away from
// accounts near or over their limit until the reset; a 429/529 with retry-after keeps an
// account out that long; `pool.max_in_flight` caps the picks in flight of any strategy;
// malformed headers change nothing; bad `quota`/`pool.max_in_flight` values fail closed
// with the key and its position.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// 2026-12-05T12:00:00Z plus `seconds`, as Go encodes RequestedAt.
std::string At(int seconds) {
  const int t = 12 * 3600 + seconds;
  char text[40];
  std::snprintf(text, sizeof text, "2026-12-05T%02d:%02d:%02d.5Z", t / 3600 % 24, t / 60 % 60,
                t % 60);
  return text;
}
// Unix seconds of At(seconds) (without the half second).
std::string UnixAt(int seconds) { return std::to_string(int64_t{1796472000} + seconds); }

// A usage record laid out as CLIProxyAPI v7.2.140 sends it (testdata/real/usage-stream.json),
// for `auth`, started at At(at), with `status` (0: success) and these response headers.
std::string Record(const std::string& auth, int at, const Headers& headers, int status = 0) {
  std::string h;
  for (const auto& [name, value] : headers) {
    if (!h.empty()) h += ",";
    h += "\"" + name + "\":[\"" + value + "\"]";
  }
  return "{\"Provider\":\"claude\",\"ExecutorType\":\"ClaudeExecutor\",\"Model\":\"claude-sonnet-"
         "4\","
         "\"Alias\":\"\",\"APIKey\":\"client-a\",\"AuthID\":\"" +
         auth +
         "\",\"AuthIndex\":\"1\",\"AuthType\":\"oauth\",\"Source\":\"sk-up-1\","
         "\"ReasoningEffort\":\"\",\"ServiceTier\":\"\",\"Generate\":true,\"RequestedAt\":\"" +
         At(at) + "\",\"Latency\":0,\"TTFT\":0,\"Failed\":" + (status >= 400 ? "true" : "false") +
         ",\"Failure\":{\"StatusCode\":" + std::to_string(status) +
         ",\"Body\":\"\"},\"Detail\":{\"InputTokens\":10,\"OutputTokens\":5,\"ReasoningTokens\":0,"
         "\"CachedTokens\":0,\"CacheReadTokens\":0,\"CacheCreationTokens\":0,\"TotalTokens\":15},"
         "\"ResponseHeaders\":{" +
         h + "}}";
}

// A Claude Max account's 5-hour window, `used` (0..1), resetting at At(reset).
Headers Claude(double used, int reset) {
  return {{"Anthropic-Ratelimit-Unified-Status", used >= 1 ? "rejected" : "allowed"},
          {"Anthropic-Ratelimit-Unified-5h-Status", used >= 1 ? "rejected" : "allowed"},
          {"Anthropic-Ratelimit-Unified-5h-Utilization", std::to_string(used)},
          {"Anthropic-Ratelimit-Unified-5h-Reset", UnixAt(reset)},
          {"Anthropic-Ratelimit-Unified-7d-Status", "allowed"},
          {"Anthropic-Ratelimit-Unified-7d-Utilization", "0.31"},
          {"Anthropic-Ratelimit-Unified-7d-Reset", UnixAt(6 * 86400)}};
}

const std::string kEmpty =
    R"({"ok":false,"error":{"code":"auth_unavailable","message":"no account available for )"
    R"(route \"plans\"","http_status":429}})";

class AbiQuota : public ::testing::Test {
 protected:
  void Configure(const std::string& extra = "", const std::string& strategy = "headroom") {
    const std::string yaml = "routes:\n  - name: plans\n    strategy: " + strategy + "\n" + extra +
                             "    error: {status: 429}\n";
    Reply r = so_.Register(LifecycleBody(yaml));
    ASSERT_EQ(r.rc, 0) << r.body;
    ASSERT_TRUE(ReadEnvelope(r.body).ok) << r.body;
    ASSERT_NE(r.body.find("\"usage_plugin\":true"), std::string::npos) << r.body;
  }
  void Usage(const std::string& auth, int at, const Headers& headers, int status = 0) {
    Reply r = so_.Call("usage.handle", Record(auth, at, headers, status));
    ASSERT_EQ(r.rc, 0) << r.body;
    ASSERT_EQ(r.body, "{\"ok\":true,\"result\":{}}");
  }
  // Moves the usage clock to At(at) with a record of an account outside every pool.
  void Tick(int at) { Usage("elsewhere", at, {}); }
  std::string Pick(const std::vector<std::string>& ids) { return so_.Pick(PickBody(ids)).body; }

  SchedulerSo so_;
};

TEST_F(AbiQuota, AnthropicPlanWindowNearItsLimitIsAvoidedUntilItsReset) {
  Configure();
  Usage("max-1", 0, Claude(0.97, 1800));  // would reset first, but is over 0.95
  Usage("max-2", 0, Claude(0.40, 9000));
  Usage("max-3", 0, Claude(0.10, 5400));
  EXPECT_EQ(Pick({"max-1", "max-2", "max-3"}), AuthReply("max-3"));  // soonest reset next
  EXPECT_EQ(Pick({"max-1", "max-2"}), AuthReply("max-2"));
  EXPECT_EQ(Pick({"max-1"}), kEmpty);
  Tick(1799);
  EXPECT_EQ(Pick({"max-1"}), kEmpty);
  Tick(1800);
  EXPECT_EQ(Pick({"max-1"}), AuthReply("max-1"));
}

TEST_F(AbiQuota, ARejectedPlanWindowOn429IsOutUntilItsReset) {
  Configure();
  Usage("max-1", 0, Claude(1.0, 600), 429);
  EXPECT_EQ(Pick({"max-1", "max-2"}), AuthReply("max-2"));
  Tick(599);
  EXPECT_EQ(Pick({"max-1"}), kEmpty);
  Tick(600);
  EXPECT_EQ(Pick({"max-1"}), AuthReply("max-1"));
}

TEST_F(AbiQuota, AnthropicApiWindowsWithRfc3339Resets) {
  Configure();
  Usage("api-1", 0,
        {{"anthropic-ratelimit-requests-limit", "4000"},
         {"anthropic-ratelimit-requests-remaining", "3999"},
         {"anthropic-ratelimit-requests-reset", "2026-12-05T12:00:01Z"},
         {"anthropic-ratelimit-output-tokens-limit", "16000"},
         {"anthropic-ratelimit-output-tokens-remaining", "300"},
         {"anthropic-ratelimit-output-tokens-reset", "2026-12-05T12:00:40Z"}});
  EXPECT_EQ(Pick({"api-1"}), kEmpty);  // output tokens 98% used
  Tick(39);
  EXPECT_EQ(Pick({"api-1"}), kEmpty);
  Tick(40);
  EXPECT_EQ(Pick({"api-1"}), AuthReply("api-1"));
}

TEST_F(AbiQuota, OpenAiWindowsWithGoDurationResets) {
  Configure();
  Usage("key-1", 0,
        {{"x-ratelimit-limit-requests", "60"},
         {"x-ratelimit-remaining-requests", "0"},
         {"x-ratelimit-reset-requests", "1m0s"},
         {"x-ratelimit-limit-tokens", "150000"},
         {"x-ratelimit-remaining-tokens", "149984"},
         {"x-ratelimit-reset-tokens", "6ms"}});
  Usage("key-2", 0,
        {{"x-ratelimit-limit-requests", "60"},
         {"x-ratelimit-remaining-requests", "30"},
         {"x-ratelimit-reset-requests", "30s"}});
  EXPECT_EQ(Pick({"key-1", "key-2"}), AuthReply("key-2"));
  Tick(60);
  EXPECT_EQ(Pick({"key-1"}), AuthReply("key-1"));
}

TEST_F(AbiQuota, CodexPrimaryAndSecondaryWindows) {
  Configure();
  Usage("codex-1", 0,
        {{"x-codex-primary-used-percent", "100"},
         {"x-codex-primary-window-minutes", "300"},
         {"x-codex-primary-reset-after-seconds", "1200"},
         {"x-codex-secondary-used-percent", "55"},
         {"x-codex-secondary-window-minutes", "10080"},
         {"x-codex-secondary-reset-after-seconds", "400000"}},
        429);
  Usage("codex-2", 0,
        {{"x-codex-primary-used-percent", "20"},
         {"x-codex-primary-window-minutes", "300"},
         {"x-codex-primary-reset-after-seconds", "15000"},
         {"x-codex-secondary-used-percent", "30"},
         {"x-codex-secondary-window-minutes", "10080"},
         {"x-codex-secondary-reset-after-seconds", "500000"}});
  EXPECT_EQ(Pick({"codex-1", "codex-2"}), AuthReply("codex-2"));
  Tick(1199);
  EXPECT_EQ(Pick({"codex-1"}), kEmpty);
  Tick(1200);
  EXPECT_EQ(Pick({"codex-1"}), AuthReply("codex-1"));
}

TEST_F(AbiQuota, A429WithRetryAfterSecondsKeepsTheAccountOutThatLong) {
  Configure();
  Usage("a", 0, {{"Retry-After", "90"}}, 429);
  EXPECT_EQ(Pick({"a", "b"}), AuthReply("b"));
  Tick(89);
  EXPECT_EQ(Pick({"a"}), kEmpty);
  Tick(90);
  EXPECT_EQ(Pick({"a"}), AuthReply("a"));
}

TEST_F(AbiQuota, A529WithAnHttpDateKeepsTheAccountOutUntilThatDate) {
  Configure();
  Usage("a", 0, {{"Retry-After", "Sat, 05 Dec 2026 12:10:00 GMT"}}, 529);
  Tick(599);
  EXPECT_EQ(Pick({"a"}), kEmpty);
  Tick(600);
  EXPECT_EQ(Pick({"a"}), AuthReply("a"));
}

TEST_F(AbiQuota, RetryAfterOnASuccessIsNotARefusal) {
  Configure();
  Usage("a", 0, {{"Retry-After", "90"}});
  EXPECT_EQ(Pick({"a"}), AuthReply("a"));
}

TEST_F(AbiQuota, MalformedHeadersAreIgnored) {
  Configure();
  Usage("b", 0, Claude(0.5, 3600));
  Usage("a", 0,
        {{"Anthropic-Ratelimit-Unified-5h-Utilization", "0,99"},
         {"Anthropic-Ratelimit-Unified-5h-Reset", "tomorrow"},
         {"anthropic-ratelimit-requests-limit", "-1"},
         {"anthropic-ratelimit-requests-remaining", "0"},
         {"anthropic-ratelimit-requests-reset", "2026-13-45T99:00:00Z"},
         {"x-ratelimit-reset-tokens", "forever"},
         {"x-codex-primary-used-percent", "1e999"},
         {"x-codex-primary-reset-after-seconds", "-5"},
         {"Retry-After", "99999999999999999999"}},
        429);
  // Nothing usable about a: it is an account not tried yet, and tried first.
  EXPECT_EQ(Pick({"a", "b"}), AuthReply("a"));
  // Headers in the record that are not JSON lists are refused as a bad record, not stored.
  Reply bad =
      so_.Call("usage.handle", "{\"AuthID\":\"b\",\"ResponseHeaders\":{\"Retry-After\":\"9\"}}");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(Pick({"b"}), AuthReply("b"));
}

TEST_F(AbiQuota, MaxInFlightCapsPicksOfAnyStrategyUntilTheirRecordsArrive) {
  for (const char* strategy : {"round-robin", "least-used", "headroom"}) {
    SCOPED_TRACE(strategy);
    so_.Reconfigure(LifecycleBody("auth_id: x\n"));  // a fresh route state below
    Configure("    pool: {max_in_flight: 2}\n", strategy);
    int a = 0, b = 0;
    for (int i = 0; i < 4; ++i) {
      const std::string body = Pick({"a", "b"});
      a += body == AuthReply("a");
      b += body == AuthReply("b");
    }
    EXPECT_EQ(a, 2);
    EXPECT_EQ(b, 2);
    EXPECT_EQ(Pick({"a", "b"}), kEmpty);
    Usage("b", 0, {});  // b's first request finished
    EXPECT_EQ(Pick({"a", "b"}), AuthReply("b"));
    EXPECT_EQ(Pick({"a", "b"}), kEmpty);
  }
}

TEST_F(AbiQuota, BadValuesFailClosedWithTheKeyAndItsPosition) {
  Reply r = so_.Register(LifecycleBody(
      "routes:\n  - name: plans\n    strategy: headroom\n    quota: {max_utilization: 0}\n"));
  ASSERT_EQ(r.rc, 0) << r.body;
  EXPECT_EQ(
      so_.Pick(PickBody({"a"})).body,
      R"x({"ok":false,"error":{"code":"scheduler_config_invalid","message":"scheduler )x"
      R"x(configuration is invalid at line 4, column 30: must be a share above 0 and at most 1 (0.95: leave out an account once a window )x"
      R"x(is 95% used)","http_status":503}})x");
  r = so_.Reconfigure(LifecycleBody(
      "routes:\n  - name: r\n    strategy: delegate\n    pool: {max_in_flight: 2}\n"));
  ASSERT_EQ(r.rc, 0) << r.body;
  EXPECT_NE(so_.Pick(PickBody({"a"})).body.find("line 4, column 27"), std::string::npos);
}

}  // namespace
}  // namespace cliproxy::abi_test

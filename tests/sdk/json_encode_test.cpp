// Encoding exactly as Go's json.Marshal writes the same values.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/json.hpp"
#include "support/files.hpp"

namespace cliproxy::json {
namespace {

using test_support::ReadTestData;

TEST(JsonQuote, EscapesAsGoWithHtmlEscaping) {
  EXPECT_EQ(Quote("plain"), R"("plain")");
  EXPECT_EQ(Quote("<x>&y"), R"("\u003cx\u003e\u0026y")");
  EXPECT_EQ(Quote("\"\\/"), R"("\"\\/")");
  EXPECT_EQ(Quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(Quote(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Quote("\x7f"), "\"\x7f\"");  // DEL is not escaped
  EXPECT_EQ(Quote("\xE2\x80\xA8\xE2\x80\xA9"), R"("\u2028\u2029")");
  EXPECT_EQ(Quote("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
            "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
}

TEST(JsonQuote, ReplacesEachInvalidByteWithEscapedReplacement) {
  EXPECT_EQ(Quote("a\xFF"
                  "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Quote("\xE2\x82"
                  "A"),
            R"("\ufffd\ufffdA")");
  EXPECT_EQ(Quote("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Quote("\xEF\xBF\xBD"), "\"\xEF\xBF\xBD\"");  // a real U+FFFD stays literal
}

TEST(JsonEncode, PickResultAlwaysCarriesAllThreeKeys) {
  EXPECT_EQ(EncodePickResult({}), R"({"AuthID":"","DelegateBuiltin":"","Handled":false})");
  PickResult r;
  r.auth_id = "a<b";
  r.handled = true;
  EXPECT_EQ(EncodePickResult(r), R"({"AuthID":"a\u003cb","DelegateBuiltin":"","Handled":true})");
}

TEST(JsonEncode, RegistrationInGoFieldOrderWithNilAndOmittedParts) {
  Registration r;
  r.schema_version = 1;
  r.metadata.name = "n";
  ConfigField plain;
  plain.name = "a";
  plain.type = "string";
  ConfigField choice;
  choice.name = "b";
  choice.type = "enum";
  choice.enum_values = {"", "x"};
  r.metadata.config_fields = {plain, choice};
  r.capabilities.scheduler = true;
  EXPECT_EQ(
      EncodeRegistration(r),
      R"({"schema_version":1,"metadata":{"Name":"n","Version":"","Author":"",)"
      R"("GitHubRepository":"","Logo":"","ConfigFields":[{"Name":"a","Type":"string",)"
      R"("EnumValues":null,"Description":""},{"Name":"b","Type":"enum","EnumValues":["","x"],)"
      R"("Description":""}]},"capabilities":{"scheduler":true}})");
  Registration empty;
  EXPECT_EQ(EncodeRegistration(empty),
            R"({"schema_version":0,"metadata":{"Name":"","Version":"","Author":"",)"
            R"("GitHubRepository":"","Logo":"","ConfigFields":null},"capabilities":{}})");
  empty.metadata.config_fields.empty_not_null = true;
  EXPECT_NE(EncodeRegistration(empty).find(R"("ConfigFields":[])"), std::string::npos);
}

TEST(JsonEncode, PickRequestWithPluginEqualsTheCopyWithPluginSet) {
  PluginMetadata plugin;
  plugin.name = "scheduler";
  plugin.version = "0.1.0";
  plugin.author = "a&b";
  plugin.github_repository = "https://example.invalid/s";
  plugin.config_fields = {ConfigField{"delegate", "enum", {"", "fill-first"}, "a <choice>"}};
  for (const char* name : {"pick-1.json", "pick-10.json", "pick-100.json"}) {
    PickRequest request;
    ASSERT_TRUE(DecodePickRequest(ReadTestData(name), &request, PickFields::All()).ok()) << name;
    request.plugin.name = "the caller's, replaced";
    PickRequest copy = request;
    copy.plugin = plugin;
    EXPECT_EQ(EncodePickRequest(request, plugin), EncodePickRequest(copy)) << name;
    EXPECT_NE(EncodePickRequest(request, plugin), EncodePickRequest(request)) << name;
  }
  PickRequest empty;
  PickRequest copy;
  copy.plugin = plugin;
  EXPECT_EQ(EncodePickRequest(empty, plugin), EncodePickRequest(copy));
  EXPECT_EQ(EncodePickRequest(empty, PluginMetadata{}), EncodePickRequest(empty));
}

TEST(JsonEncode, MapsSortKeysBytewiseAndNilDiffersFromEmpty) {
  PickRequest r;
  Candidate c;
  c.id = "a";
  c.attributes.Set("b", "2");
  c.attributes.Set("B", "1");
  c.attributes.Set("\xC3\xA9", "3");  // after every ASCII key
  c.attributes.Set("a", "0");
  r.candidates.push_back(c);
  Candidate empty;
  empty.attributes.empty_not_null = true;
  r.candidates.push_back(empty);
  r.providers.empty_not_null = true;
  std::string json = EncodePickRequest(r);
  EXPECT_NE(json.find(R"("Attributes":{"B":"1","a":"0","b":"2","é":"3"})"), std::string::npos);
  EXPECT_NE(json.find(R"("Attributes":{},"Metadata":null)"), std::string::npos);
  EXPECT_NE(json.find(R"("Providers":[])"), std::string::npos);
  EXPECT_NE(json.find(R"("Options":{"Headers":null,"Metadata":null})"), std::string::npos);
}

TEST(JsonEncode, ReEncodesHostBodiesByteForByte) {
  // The test data is CLIProxyAPI's own encoding: decoding and encoding must give it back.
  for (const char* name : {"pick-1.json", "pick-10.json", "pick-100.json", "pick-1000.json"}) {
    std::string body = ReadTestData(name);
    while (!body.empty() && body.back() == '\n') body.pop_back();
    ASSERT_FALSE(body.empty()) << name;
    PickRequest r;
    ASSERT_TRUE(DecodePickRequest(body, &r, PickFields::All()).ok()) << name;
    EXPECT_EQ(EncodePickRequest(r), body) << name;
  }
}

TEST(JsonEncode, AnyValuesAsGoReEncodesThem) {
  PickRequest r;
  std::string body =
      R"({"Options":{"Metadata":{"z":{"b":1.50,"a":"<\u2028"},"a":[1e21,"x\ud800"],"n":null}}})";
  ASSERT_TRUE(DecodePickRequest(body, &r, PickFields::All()).ok());
  std::string json = EncodePickRequest(r);
  // A lone surrogate became U+FFFD when decoded; Go writes that rune literally.
  EXPECT_NE(json.find("\"Metadata\":{\"a\":[1e+21,\"x\xEF\xBF\xBD\"],\"n\":null,"
                      "\"z\":{\"a\":\"\\u003c\\u2028\",\"b\":1.5}}"),
            std::string::npos)
      << json;
}

TEST(JsonEncode, UsageRecordInGoFieldOrder) {
  UsageRecord u;
  u.provider = "codex";
  u.latency_ns = 5;
  u.response_headers.Set("Retry-After", {"3"});
  EXPECT_EQ(EncodeUsageRecord(u),
            R"({"Provider":"codex","ExecutorType":"","Model":"","Alias":"","APIKey":"",)"
            R"("AuthID":"","AuthIndex":"","AuthType":"","Source":"","ReasoningEffort":"",)"
            R"("ServiceTier":"","Generate":false,"RequestedAt":"","Latency":5,"TTFT":0,)"
            R"("Failed":false,"Failure":{"StatusCode":0,"Body":""},"Detail":{"InputTokens":0,)"
            R"("OutputTokens":0,"ReasoningTokens":0,"CachedTokens":0,"CacheReadTokens":0,)"
            R"("CacheCreationTokens":0,"TotalTokens":0},"ResponseHeaders":{"Retry-After":["3"]}})");
}

TEST(JsonEncode, ExplanationLeavesOutErrorAndConfigErrorUnlessSet) {
  Explanation e;
  e.rule = "routes[0] team-a";
  e.decision.auth_id = "a";
  e.decision.handled = true;
  EXPECT_EQ(EncodeExplanation(e),
            R"({"Decision":{"AuthID":"a","DelegateBuiltin":"","Handled":true},)"
            R"("Rule":"routes[0] team-a"})");
  e.decision = {};
  e.error.code = "no_route";
  e.error.message = "m";
  e.error.http_status = 403;
  e.has_error = true;
  e.config_error = "invalid configuration: x";
  const std::string text = EncodeExplanation(e);
  EXPECT_EQ(text, R"({"Decision":{"AuthID":"","DelegateBuiltin":"","Handled":false},)"
                  R"("Rule":"routes[0] team-a","Error":{"code":"no_route","message":"m",)"
                  R"("http_status":403},"ConfigError":"invalid configuration: x"})");

  Explanation back;
  ASSERT_TRUE(DecodeExplanation(text, &back));
  EXPECT_TRUE(back.has_decision);
  EXPECT_TRUE(back.has_error);
  EXPECT_EQ(back.error.code, "no_route");
  EXPECT_EQ(back.error.http_status, 403);
  EXPECT_EQ(back.rule, e.rule);
  EXPECT_EQ(back.config_error, e.config_error);

  Explanation missing;
  ASSERT_TRUE(DecodeExplanation(R"({"Rule":"x"})", &missing));
  EXPECT_FALSE(missing.has_decision);
  EXPECT_FALSE(missing.has_error);
}

TEST(JsonEncode, ErrorEnvelopeWritesRetryableOnlyWhenSetAndHttpStatusOnlyWhenPositive) {
  PluginError e;
  e.code = "c";
  e.message = "m";
  EXPECT_EQ(ErrorEnvelope(e), R"({"ok":false,"error":{"code":"c","message":"m"}})");
  e.has_retryable = true;
  e.http_status = 429;
  EXPECT_EQ(
      ErrorEnvelope(e),
      R"({"ok":false,"error":{"code":"c","message":"m","retryable":false,"http_status":429}})");
}

}  // namespace
}  // namespace cliproxy::json

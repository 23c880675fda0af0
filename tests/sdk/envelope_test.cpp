// Envelopes: what the plugin writes and how a host reads them.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

TEST(EnvelopeEncode, OkWrapsTheResult) {
  EXPECT_EQ(OkEnvelope("{}"), R"({"ok":true,"result":{}})");
  EXPECT_EQ(OkEnvelope(R"({"Handled":false})"), R"({"ok":true,"result":{"Handled":false}})");
}

TEST(EnvelopeEncode, ErrorCarriesOptionalPartsOnlyWhenSet) {
  PluginError e;
  e.code = "scheduler_denied";
  e.message = "no <way>";
  EXPECT_EQ(ErrorEnvelope(e),
            R"({"ok":false,"error":{"code":"scheduler_denied","message":"no \u003cway\u003e"}})");
  e.has_retryable = true;
  EXPECT_EQ(ErrorEnvelope(e), R"({"ok":false,"error":{"code":"scheduler_denied",)"
                              R"("message":"no \u003cway\u003e","retryable":false}})");
  e.retryable = true;
  e.http_status = 429;
  EXPECT_EQ(ErrorEnvelope(e),
            R"({"ok":false,"error":{"code":"scheduler_denied",)"
            R"("message":"no \u003cway\u003e","retryable":true,"http_status":429}})");
  e.http_status = -1;
  EXPECT_EQ(ErrorEnvelope(e).find("http_status"), std::string::npos);
}

TEST(EnvelopeDecode, ReadsAnOkEnvelope) {
  Envelope env;
  ASSERT_TRUE(DecodeEnvelope(R"({"ok":true,"result":{"AuthID":"a","Handled":true}})", &env).ok());
  EXPECT_TRUE(env.ok);
  EXPECT_FALSE(env.has_error);
  PickResult result;
  ASSERT_TRUE(DecodePickResult(env.result, &result).ok());
  EXPECT_EQ(result.auth_id, "a");
}

TEST(EnvelopeDecode, ReadsAnErrorEnvelope) {
  Envelope env;
  ASSERT_TRUE(DecodeEnvelope(R"({"OK":false,"Error":{"Code":"c","message":"m",)"
                             R"("retryable":true,"http_status":503}})",
                             &env)
                  .ok());
  EXPECT_FALSE(env.ok);
  ASSERT_TRUE(env.has_error);
  EXPECT_EQ(env.error.code, "c");
  EXPECT_EQ(env.error.message, "m");
  EXPECT_TRUE(env.error.retryable);
  EXPECT_EQ(env.error.http_status, 503);
}

TEST(EnvelopeDecode, GoZeroValuesForNullAndMissingParts) {
  Envelope env;
  ASSERT_TRUE(DecodeEnvelope("null", &env).ok());
  EXPECT_FALSE(env.ok);
  EXPECT_FALSE(env.has_error);
  ASSERT_TRUE(DecodeEnvelope(R"({"ok":true})", &env).ok());
  EXPECT_TRUE(env.result.empty());
  ASSERT_TRUE(DecodeEnvelope(R"({"ok":true,"result":null})", &env).ok());
  EXPECT_EQ(env.result, "null");
  Envelope cleared;
  ASSERT_TRUE(DecodeEnvelope(R"({"ok":false,"error":{"code":"x"},"error":null})", &cleared).ok());
  EXPECT_FALSE(cleared.has_error);
}

TEST(EnvelopeDecode, RejectsWhatGoRejects) {
  Envelope env;
  EXPECT_FALSE(DecodeEnvelope("", &env).ok());
  EXPECT_FALSE(DecodeEnvelope("[]", &env).ok());
  EXPECT_FALSE(DecodeEnvelope("not json", &env).ok());
  EXPECT_FALSE(DecodeEnvelope(R"({"ok":"true"})", &env).ok());
  EXPECT_FALSE(DecodeEnvelope(R"({"ok":false,"error":"boom"})", &env).ok());
  EXPECT_FALSE(DecodeEnvelope(R"({"ok":false,"error":{"http_status":"503"}})", &env).ok());
  EXPECT_FALSE(DecodeEnvelope(R"({"ok":true}x)", &env).ok());
}

TEST(EnvelopeDecode, KeepsTheResultAsRapidJsonWritesItBack) {
  // Compact, members in text order with duplicates, numbers as parsed (1.0 stays a double),
  // a lone surrogate escape as U+FFFD; the last `result` wins.
  Envelope env;
  ASSERT_TRUE(DecodeEnvelope(R"({"result":1,"RESULT" : { "b" : [ 1.0 , 1e21, -0.0, "\ud800/" ] ,)"
                             R"( "a":null, "b":true }})",
                             &env)
                  .ok());
  EXPECT_EQ(env.result, "{\"b\":[1.0,1e21,-0.0,\"\xEF\xBF\xBD/\"],\"a\":null,\"b\":true}");
  ASSERT_TRUE(DecodeEnvelope(R"({"result":"tab\there"})", &env).ok());
  EXPECT_EQ(env.result, R"("tab\there")");
}

TEST(EnvelopeDecode, ReadsTheErrorObjectAsTheHostAlwaysHas) {
  // retryable marks itself present even when null; http_status null zeroes it; a second
  // error object decodes into the first.
  Envelope env;
  ASSERT_TRUE(DecodeEnvelope(R"({"error":{"code":"c","retryable":true,"http_status":503},)"
                             R"("error":{"retryable":null,"http_status":null}})",
                             &env)
                  .ok());
  ASSERT_TRUE(env.has_error);
  EXPECT_EQ(env.error.code, "c");
  EXPECT_TRUE(env.error.retryable);
  EXPECT_TRUE(env.error.has_retryable);
  EXPECT_EQ(env.error.http_status, 0);
  // A null error object is Go's nil pointer: it clears what an earlier one set.
  ASSERT_TRUE(DecodeEnvelope(R"({"error":null})", &env).ok());
  EXPECT_FALSE(env.has_error);
  EXPECT_EQ(env.error.code, "");
  EXPECT_FALSE(env.error.has_retryable);
}

TEST(EnvelopeDecode, ErrorsInCodeAndMessageWinOverRetryableAndHttpStatus) {
  // retryable and http_status are read after the object's other members.
  Envelope env;
  EXPECT_EQ(DecodeEnvelope(R"({"error":{"http_status":"503","message":5}})", &env).message,
            "error.message: cannot unmarshal number 5 into a value of type string");
  EXPECT_EQ(DecodeEnvelope(R"({"error":{"retryable":1,"http_status":"503"}})", &env).message,
            "error.retryable: cannot unmarshal number 1 into a value of type bool");
  EXPECT_EQ(DecodeEnvelope(R"({"error":{"http_status":1.5},"ok":"x"})", &env).message,
            "error.http_status: cannot unmarshal number 1.5 into a value of type int");
}

TEST(EnvelopeDecode, ASyntaxErrorLeavesTheEnvelopeAsItWas) {
  Envelope env;
  env.result = "kept";
  EXPECT_FALSE(DecodeEnvelope(R"({"ok":true,"result":{"a":1},"error":{"code":"x"})", &env).ok());
  EXPECT_FALSE(env.ok);
  EXPECT_EQ(env.result, "kept");
  EXPECT_FALSE(env.has_error);
}

}  // namespace
}  // namespace cliproxy::json

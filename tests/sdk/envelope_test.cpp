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

}  // namespace
}  // namespace cliproxy::json

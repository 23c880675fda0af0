// host.log bodies: what a plugin sends and how a host reads it, with Go's rules.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

TEST(LogRequestEncode, FieldsOnlyWhenThereAreAnySortedByKey) {
  LogRequest request;
  request.level = "warn";
  request.message = "pool <a> empty";
  EXPECT_EQ(EncodeLogRequest(request), R"({"level":"warn","message":"pool \u003ca\u003e empty"})");
  request.fields.empty_not_null = true;
  EXPECT_EQ(EncodeLogRequest(request), R"({"level":"warn","message":"pool \u003ca\u003e empty"})");
  request.fields.Set("route", AnyValue::String("team-a"));
  request.fields.Set("attempt", AnyValue{AnyValue::Kind::kNumber, "2"});
  EXPECT_EQ(EncodeLogRequest(request), R"({"level":"warn","message":"pool \u003ca\u003e empty",)"
                                       R"("fields":{"attempt":2,"route":"team-a"}})");
}

TEST(LogRequestDecode, ReadsEveryFieldWithGoRules) {
  LogRequest request;
  ASSERT_TRUE(DecodeLogRequest(R"({"Level":"info","MESSAGE":"m","host_callback_id":"7",)"
                               R"("fields":{"s":"v","n":1.0,"o":{"b":[true],"a":null}}})",
                               &request)
                  .ok());
  EXPECT_EQ(request.level, "info");
  EXPECT_EQ(request.message, "m");
  ASSERT_EQ(request.fields.size(), 3u);
  EXPECT_EQ(*request.fields.Find("s"), AnyValue::String("v"));
  EXPECT_EQ(request.fields.Find("n")->text, "1");
  EXPECT_EQ(request.fields.Find("o")->text, R"({"a":null,"b":[true]})");
}

TEST(LogRequestDecode, NullIsEmptyAndOtherShapesFail) {
  LogRequest request;
  EXPECT_TRUE(DecodeLogRequest("null", &request).ok());
  EXPECT_TRUE(request.message.empty());
  EXPECT_TRUE(request.fields.is_null());
  EXPECT_FALSE(DecodeLogRequest("", &request).ok());
  EXPECT_FALSE(DecodeLogRequest(R"(["m"])", &request).ok());
  EXPECT_FALSE(DecodeLogRequest(R"({"level":3})", &request).ok());
  EXPECT_FALSE(DecodeLogRequest(R"({"fields":[]})", &request).ok());
  EXPECT_FALSE(DecodeLogRequest(R"({"message":"m"} x)", &request).ok());
}

TEST(LogRequestDecode, FoldsKeysAsGoDoesAndKeepsDeepFields) {
  // U+017F (long s) folds to 's', as in Go; the last duplicate wins.
  LogRequest request;
  ASSERT_TRUE(DecodeLogRequest("{\"me\xC5\xBF\xC5\xBF"
                               "age\":\"m\",\"level\":\"a\",\"LEVEL\":\"b\"}",
                               &request)
                  .ok());
  EXPECT_EQ(request.message, "m");
  EXPECT_EQ(request.level, "b");
  // Go's limit counts every level: the body, `fields` and 9998 arrays are the most it reads.
  const std::string deepest = std::string(9998, '[') + std::string(9998, ']');
  ASSERT_TRUE(DecodeLogRequest(R"({"fields":{"d":)" + deepest + "}}", &request).ok());
  EXPECT_EQ(request.fields.Find("d")->text, deepest);
  const std::string too_deep = "[" + deepest + "]";
  const std::string error =
      DecodeLogRequest(R"({"fields":{"d":)" + too_deep + "}}", &request).message;
  EXPECT_EQ(error.rfind("invalid JSON at byte ", 0), 0u) << error;
  EXPECT_NE(error.find("exceeded max nesting depth (10000)"), std::string::npos) << error;
}

TEST(LogRequest, RoundTrips) {
  LogRequest sent;
  sent.level = "trace";
  sent.message = "line\nbreak \xE2\x80\xA8";
  sent.fields.Set("k", AnyValue::String("<v>"));
  LogRequest read;
  ASSERT_TRUE(DecodeLogRequest(EncodeLogRequest(sent), &read).ok());
  EXPECT_EQ(read.level, sent.level);
  EXPECT_EQ(read.message, sent.message);
  EXPECT_EQ(read.fields.entries, sent.fields.entries);
}

}  // namespace
}  // namespace cliproxy::json

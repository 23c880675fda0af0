// plugin.register / plugin.reconfigure bodies: config_yaml is Go's []byte, so a padded
// standard base64 string, an array of byte values, or null.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/base64.hpp"
#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

LifecycleRequest Decoded(std::string_view body) {
  LifecycleRequest request;
  DecodeStatus status = DecodeLifecycleRequest(body, &request);
  EXPECT_TRUE(status.ok()) << body << ": " << status.message;
  return request;
}

std::string Failure(std::string_view body) {
  LifecycleRequest request;
  DecodeStatus status = DecodeLifecycleRequest(body, &request);
  EXPECT_FALSE(status.ok()) << body;
  return status.message;
}

TEST(LifecycleDecode, ReadsBase64ConfigAndSchemaVersion) {
  LifecycleRequest r = Decoded(R"({"config_yaml":"YXV0aF9pZDogYgo=","schema_version":3})");
  EXPECT_EQ(r.config_yaml, "auth_id: b\n");
  EXPECT_EQ(r.schema_version, 3);
}

TEST(LifecycleDecode, EmptyNullAndMissingMeanAnEmptyConfig) {
  EXPECT_EQ(Decoded("").config_yaml, "");
  EXPECT_EQ(Decoded("null").config_yaml, "");
  EXPECT_EQ(Decoded("{}").config_yaml, "");
  EXPECT_EQ(Decoded(R"({"config_yaml":null})").config_yaml, "");
  EXPECT_EQ(Decoded(R"({"config_yaml":""})").config_yaml, "");
}

TEST(LifecycleDecode, MatchesKeysCaseInsensitivelyAndIgnoresUnknownOnes) {
  LifecycleRequest r = Decoded(R"({"Config_YAML":"YQ==","SCHEMA_VERSION":99,"extra":{"x":[1]}})");
  EXPECT_EQ(r.config_yaml, "a");
  EXPECT_EQ(r.schema_version, 99);
}

TEST(LifecycleDecode, AcceptsAnArrayOfBytes) {
  EXPECT_EQ(Decoded(R"({"config_yaml":[97,58,32,98]})").config_yaml, "a: b");
  EXPECT_EQ(Decoded(R"({"config_yaml":[]})").config_yaml, "");
  // Go decodes a duplicate into the existing bytes; a null element keeps the byte there.
  EXPECT_EQ(Decoded(R"({"config_yaml":"YWJj","config_yaml":[120,null]})").config_yaml, "xb");
  EXPECT_NE(Failure(R"({"config_yaml":[256]})").find("config_yaml[0]"), std::string::npos);
  Failure(R"({"config_yaml":[-1]})");
  Failure(R"({"config_yaml":[1.5]})");
  Failure(R"({"config_yaml":["a"]})");
}

TEST(LifecycleDecode, RejectsBase64GoRejects) {
  // "auth_id: b\n" is "YXV0aF9pZDogYgo=": without its padding Go stops at byte 12.
  EXPECT_EQ(Failure(R"({"config_yaml":"YXV0aF9pZDogYgo"})"),
            "config_yaml: illegal base64 data at input byte 12");
  EXPECT_EQ(Failure(R"({"config_yaml":"YW-j"})"),
            "config_yaml: illegal base64 data at input byte 2");
  // Newlines inside the string (JSON escapes) are skipped, as in Go.
  EXPECT_EQ(Decoded(R"({"config_yaml":"YXV0\naF9p\r\nZDogYgo="})").config_yaml, "auth_id: b\n");
}

TEST(LifecycleDecode, RejectsWrongTypesAndBadJson) {
  EXPECT_NE(Failure(R"({"config_yaml":42})").find("config_yaml"), std::string::npos);
  EXPECT_NE(Failure(R"({"config_yaml":{}})").find("config_yaml"), std::string::npos);
  EXPECT_NE(Failure(R"({"schema_version":"3"})").find("schema_version"), std::string::npos);
  EXPECT_NE(Failure("[]").find("cannot unmarshal array"), std::string::npos);
  EXPECT_NE(Failure(R"({"config_yaml":null}x)").find("invalid JSON"), std::string::npos);
  EXPECT_EQ(Failure(R"({"config_yaml":)"), "unexpected end of JSON input");
}

TEST(LifecycleDecode, NamesTheByteOrKindThatFails) {
  EXPECT_EQ(Failure(R"({"config_yaml":1.5})"),
            "config_yaml: cannot unmarshal number into base64 bytes (a string)");
  EXPECT_EQ(Failure(R"({"config_yaml":[1,2.0]})"),
            "config_yaml[1]: cannot unmarshal number 2.0 into a byte (0..255)");
  EXPECT_EQ(Failure(R"({"config_yaml":[1,{"a":[]}]})"),
            "config_yaml[1]: cannot unmarshal object into a byte (0..255)");
  // The string's bytes as sent, not made valid UTF-8 first: the stray byte is byte 2.
  EXPECT_EQ(Failure("{\"config_yaml\":\"YW\xFFj\"}"),
            "config_yaml: illegal base64 data at input byte 2");
}

TEST(LifecycleDecode, AByteArrayDecodesIntoTheBytesAlreadyThere) {
  LifecycleRequest r;
  r.config_yaml = "abc";
  ASSERT_TRUE(DecodeLifecycleRequest(R"({"config_yaml":[null,120]})", &r).ok());
  EXPECT_EQ(r.config_yaml, "ax");
  ASSERT_TRUE(DecodeLifecycleRequest(R"({"config_yaml":[null,null,null]})", &r).ok());
  EXPECT_EQ(r.config_yaml, std::string("ax\0", 3));
}

TEST(LifecycleDecode, ASyntaxErrorLeavesTheRequestAsItWas) {
  LifecycleRequest r;
  r.config_yaml = "kept";
  r.schema_version = 2;
  EXPECT_EQ(Failure(R"({"config_yaml":"YQ==","schema_version":3,})").rfind("invalid JSON", 0), 0u);
  EXPECT_FALSE(DecodeLifecycleRequest(R"({"config_yaml":"YQ==","schema_version":3,})", &r).ok());
  EXPECT_EQ(r.config_yaml, "kept");
  EXPECT_EQ(r.schema_version, 2);
}

TEST(LifecycleEncode, WritesBase64InGoFieldOrder) {
  LifecycleRequest r;
  r.config_yaml = "auth_id: b\n";
  r.schema_version = 3;
  EXPECT_EQ(EncodeLifecycleRequest(r), R"({"config_yaml":"YXV0aF9pZDogYgo=","schema_version":3})");
  EXPECT_EQ(Decoded(EncodeLifecycleRequest(r)).config_yaml, r.config_yaml);
}

}  // namespace
}  // namespace cliproxy::json

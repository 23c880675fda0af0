// Decoding with Go's encoding/json semantics (the pick request is the richest wire type).
// Expected values are what Go's json.Unmarshal gives for the same bytes into the
// pluginapi.SchedulerPickRequest shape.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

PickRequest Decoded(std::string_view body) {
  PickRequest request;
  DecodeStatus status = DecodePickRequest(body, &request, PickFields::All());
  EXPECT_TRUE(status.ok()) << body << ": " << status.message;
  return request;
}

std::string Failure(std::string_view body) {
  PickRequest request;
  DecodeStatus status = DecodePickRequest(body, &request, PickFields::All());
  EXPECT_FALSE(status.ok()) << body;
  return status.message;
}

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(CLIPROXY_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(JsonDecode, ReadsTheHostsPickRequest) {
  PickRequest r = Decoded(ReadTestData("pick-10.json"));
  EXPECT_EQ(r.provider, "codex");
  ASSERT_EQ(r.candidates.size(), 10u);
  EXPECT_FALSE(r.candidates[0].id.empty());
  EXPECT_TRUE(r.candidates[0].metadata.is_null());
}

TEST(JsonDecode, MatchesKeysCaseInsensitively) {
  PickRequest r = Decoded(R"({"candidates":[{"id":"b","PRIORITY":3,"sTaTuS":"x"}],"MODEL":"m"})");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].id, "b");
  EXPECT_EQ(r.candidates[0].priority, 3);
  EXPECT_EQ(r.candidates[0].status, "x");
  EXPECT_EQ(r.model, "m");
}

TEST(JsonDecode, FoldsKeysAsGoDoes) {
  // U+017F LONG S folds to 's' and U+212A KELVIN SIGN to 'k' in Go's key matching.
  PickRequest r = Decoded("{\"Candidates\":[{\"\xC5\xBFtatus\":\"s\",\"Attribute\xC5\xBF\":{}}]}");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].status, "s");
  EXPECT_FALSE(r.candidates[0].attributes.is_null());
  UsageRecord usage;
  ASSERT_TRUE(DecodeUsageRecord("{\"api\xE2\x84\xAA"
                                "ey\":\"k\"}",
                                &usage)
                  .ok());
  EXPECT_EQ(usage.api_key, "k");
  // U+0130 (dotted capital I) does not fold to 'i': an unknown key, ignored.
  r = Decoded(
      "{\"Candidates\":[{\"\xC4\xB0"
      "D\":\"x\"}]}");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].id, "");
}

TEST(JsonDecode, LastDuplicateKeyWins) {
  EXPECT_EQ(Decoded(R"({"Model":"a","Model":"b"})").model, "b");
  EXPECT_EQ(Decoded(R"({"Candidates":[{"ID":"a","id":"b"}]})").candidates[0].id, "b");
}

TEST(JsonDecode, DuplicateStructKeyDecodesIntoTheExistingValue) {
  PickRequest r = Decoded(R"({"Options":{"Headers":{"A":["1"]}},"Options":{"Metadata":{"x":1}}})");
  EXPECT_EQ(r.options.headers.size(), 1u);
  EXPECT_EQ(r.options.metadata.size(), 1u);
}

TEST(JsonDecode, DuplicateArrayKeyDecodesIntoTheExistingElements) {
  PickRequest r = Decoded(
      R"({"Candidates":[{"ID":"a","Provider":"p"},{"ID":"b"}],"Candidates":[{"Status":"s"}]})");
  ASSERT_EQ(r.candidates.size(), 1u);  // truncated to the later array's length
  EXPECT_EQ(r.candidates[0].id, "a");  // kept from the first array
  EXPECT_EQ(r.candidates[0].provider, "p");
  EXPECT_EQ(r.candidates[0].status, "s");
}

TEST(JsonDecode, DuplicateMapKeyAddsToTheExistingMap) {
  PickRequest r = Decoded(
      R"({"Candidates":[{"Attributes":{"x":"1","y":"0"}}],"Candidates":[{"Attributes":{"y":"2"}}]})");
  const StringMap& attributes = r.candidates[0].attributes;
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(*attributes.Find("x"), "1");
  EXPECT_EQ(*attributes.Find("y"), "2");
}

TEST(JsonDecode, NullResetsMapsAndSlicesButLeavesOtherValues) {
  PickRequest r = Decoded(
      R"({"Model":"m","Model":null,"Stream":true,"Stream":null,"Providers":["a"],"Providers":null,)"
      R"("Candidates":[{"ID":"a","Priority":2,"Priority":null,"Attributes":{"x":"1"},"Attributes":null}]})");
  EXPECT_EQ(r.model, "m");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.providers.is_null());
  EXPECT_EQ(r.candidates[0].priority, 2);
  EXPECT_TRUE(r.candidates[0].attributes.is_null());
  EXPECT_EQ(Decoded(R"({"Options":{"Headers":{"A":["1"]}},"Options":null})").options.headers.size(),
            1u);
}

TEST(JsonDecode, KeepsNilApartFromEmpty) {
  PickRequest r = Decoded(R"({"Providers":[],"Candidates":[{"Attributes":{}}]})");
  EXPECT_FALSE(r.providers.is_null());
  EXPECT_FALSE(r.candidates[0].attributes.is_null());
  EXPECT_TRUE(r.candidates[0].metadata.is_null());
  r = Decoded(R"({"Providers":null,"Candidates":null})");
  EXPECT_TRUE(r.providers.is_null());
  EXPECT_TRUE(r.candidates.is_null());
}

TEST(JsonDecode, IgnoresUnknownKeysEverywhere) {
  PickRequest r = Decoded(
      R"({"X":1,"Options":{"Y":[1,{"z":null}],"Headers":{}},"Candidates":[{"ID":"b","Z":{"a":1}}],)"
      R"("Plugin":{"Locales":{"en":"x"}}})");
  EXPECT_EQ(r.candidates[0].id, "b");
}

TEST(JsonDecode, NullAndEmptyObjectAreEmptyRequests) {
  PickRequest r = Decoded("null");
  EXPECT_TRUE(r.candidates.is_null());
  r = Decoded(" {} ");
  EXPECT_TRUE(r.candidates.is_null());
}

TEST(JsonDecode, EmptyOrBlankBodyFails) {
  EXPECT_EQ(Failure(""), "unexpected end of JSON input");
  EXPECT_EQ(Failure(" \n\t"), "unexpected end of JSON input");
  EXPECT_EQ(Failure(R"({"Model":"a")"), "unexpected end of JSON input");
}

TEST(JsonDecode, TrailingDataFails) {
  EXPECT_NE(Failure("{}x").find("byte 2"), std::string::npos);
  Failure("{}{}");
  Failure("null null");
  EXPECT_TRUE(Decoded("{}\n\t ").candidates.is_null());  // trailing whitespace is fine
}

TEST(JsonDecode, NulByteFailsAnywhere) {
  EXPECT_NE(Failure(std::string("{}\0", 3)).find("byte 2"), std::string::npos);
  Failure(std::string("{\"Model\":\"a\0b\"}", 15));
}

TEST(JsonDecode, SyntaxErrorsFail) {
  for (const char* body :
       {"{'a':1}", R"({"a":NaN})", R"({"a":Infinity})", R"({"a":01})", R"({"a":.5})", R"({"a":1.})",
        R"({"a":+1})", R"({"a":0x1})", "/*c*/{}", R"({"a":[1,]})", R"({"a":1,})", R"({"a":tru})",
        R"({"a":"\x"})", R"({"a":"\u12"})", "{\"a\":\"\t\"}", "\xEF\xBB\xBF{}"}) {
    std::string message = Failure(body);
    EXPECT_NE(message.find("invalid JSON"), std::string::npos) << body << ": " << message;
  }
}

TEST(JsonDecode, NestingDeeperThanGoAllowsFails) {
  auto nested = [](int depth) {
    return R"({"X":)" + std::string(static_cast<size_t>(depth - 1), '[') +
           std::string(static_cast<size_t>(depth - 1), ']') + "}";
  };
  Decoded(nested(10000));
  EXPECT_NE(Failure(nested(10001)).find("exceeded max nesting depth"), std::string::npos);
}

TEST(JsonDecode, DeepValuesInMetadataAreKeptWithinTheLimit) {
  // Go keeps any value up to its nesting limit; so do we, without exhausting the stack.
  const size_t depth = 9990;
  std::string body = R"({"Options":{"Metadata":{"deep":)" + std::string(depth, '[') +
                     std::string(depth, ']') + "}}}";
  PickRequest r = Decoded(body);
  const AnyValue* deep = r.options.metadata.Find("deep");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(deep->text, std::string(depth, '[') + std::string(depth, ']'));
}

TEST(JsonDecode, WrongTypesFailWithThePath) {
  struct Case {
    const char* body;
    const char* path;
  };
  const Case cases[] = {
      {"[]", "cannot unmarshal array"},
      {"1", "cannot unmarshal number"},
      {R"("x")", "cannot unmarshal string"},
      {R"({"Candidates":[{"Priority":"high"}]})",
       "Candidates[0].Priority: cannot unmarshal string"},
      {R"({"Candidates":[{},{"Priority":1.5}]})",
       "Candidates[1].Priority: cannot unmarshal number 1.5"},
      {R"({"Candidates":[{"ID":1}]})", "Candidates[0].ID: cannot unmarshal number"},
      {R"({"Candidates":[{"ID":true}]})", "Candidates[0].ID: cannot unmarshal bool"},
      {R"({"Candidates":{}})", "Candidates: cannot unmarshal object"},
      {R"({"Candidates":[{"Attributes":{"k":1}}]})", R"(Candidates[0].Attributes["k"])"},
      {R"({"Candidates":[{"Attributes":[]}]})", "Candidates[0].Attributes: cannot unmarshal array"},
      {R"({"Stream":1})", "Stream: cannot unmarshal number"},
      {R"({"Stream":"true"})", "Stream: cannot unmarshal string"},
      {R"({"Providers":"x"})", "Providers: cannot unmarshal string"},
      {R"({"Providers":[1]})", "Providers[0]: cannot unmarshal number"},
      {R"({"Options":[]})", "Options: cannot unmarshal array"},
      {R"({"Options":{"Headers":{"A":"1"}}})", R"(Options.Headers["A"]: cannot unmarshal string)"},
      {R"({"Plugin":{"ConfigFields":{}}})", "Plugin.ConfigFields: cannot unmarshal object"},
      {R"({"Plugin":{"ConfigFields":[{"EnumValues":[1]}]}})",
       "Plugin.ConfigFields[0].EnumValues[0]"},
  };
  for (const Case& c : cases) {
    std::string message = Failure(c.body);
    EXPECT_NE(message.find(c.path), std::string::npos) << c.body << " -> " << message;
  }
}

TEST(JsonDecode, WrongTypesFailEvenWhereTheCallerStoresNothing) {
  PickFields nothing;
  nothing.providers = false;
  nothing.headers = false;
  nothing.request_metadata = false;
  nothing.candidate_attributes = false;
  nothing.candidate_metadata = false;
  PickRequest r;
  EXPECT_FALSE(DecodePickRequest(R"({"Options":{"Headers":{"A":"1"}}})", &r, nothing).ok());
  EXPECT_FALSE(DecodePickRequest(R"({"Plugin":{"Name":1}})", &r, nothing).ok());
  ASSERT_TRUE(DecodePickRequest(
                  R"({"Providers":["p"],"Options":{"Headers":{"A":["1"]},"Metadata":{"m":1}},)"
                  R"("Candidates":[{"ID":"a","Attributes":{"k":"v"},"Metadata":{"x":1}}]})",
                  &r, nothing)
                  .ok());
  EXPECT_EQ(r.candidates[0].id, "a");
  EXPECT_TRUE(r.providers.empty());
  EXPECT_TRUE(r.options.headers.empty());
  EXPECT_TRUE(r.options.metadata.empty());
  EXPECT_TRUE(r.candidates[0].attributes.empty());
  EXPECT_TRUE(r.candidates[0].metadata.empty());
}

TEST(JsonDecode, IntegersFollowGoParseInt) {
  EXPECT_EQ(Decoded(R"({"Candidates":[{"Priority":-0}]})").candidates[0].priority, 0);
  EXPECT_EQ(Decoded(R"({"Candidates":[{"Priority":9223372036854775807}]})").candidates[0].priority,
            INT64_MAX);
  EXPECT_EQ(Decoded(R"({"Candidates":[{"Priority":-9223372036854775808}]})").candidates[0].priority,
            INT64_MIN);
  Failure(R"({"Candidates":[{"Priority":9223372036854775808}]})");
  Failure(R"({"Candidates":[{"Priority":1.0}]})");
  Failure(R"({"Candidates":[{"Priority":1e2}]})");
}

TEST(JsonDecode, EscapedLoneSurrogatesBecomeOneReplacementEach) {
  auto id = [](const std::string& escaped) {
    return Decoded(R"({"Candidates":[{"ID":")" + escaped + R"("}]})").candidates[0].id;
  };
  const std::string r = kReplacement;
  EXPECT_EQ(id(R"(\ud800)"), r);
  EXPECT_EQ(id(R"(\udc00)"), r);
  EXPECT_EQ(id(R"(x\udc00y)"), "x" + r + "y");
  EXPECT_EQ(id(R"(\ud83d\ude00)"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(id(R"(\ud83d\u0041)"), r + "A");
  EXPECT_EQ(id(R"(\udc00\ud800)"), r + r);
  EXPECT_EQ(id(R"(\ud800\ud800\udc00)"), r + "\xF0\x90\x80\x80");
  EXPECT_EQ(id(R"(\\ud800)"), R"(\ud800)");  // an escaped backslash, not an escape
}

TEST(JsonDecode, InvalidUtf8BecomesReplacement) {
  PickRequest r = Decoded(
      "{\"Candidates\":[{\"ID\":\"a\xFF"
      "b\",\"Attributes\":{\"k\xFE\":\"\xC0\"}}]}");
  EXPECT_EQ(r.candidates[0].id, std::string("a") + kReplacement + "b");
  const std::string* value = r.candidates[0].attributes.Find(std::string("k") + kReplacement);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, kReplacement);
}

TEST(JsonDecode, EscapesDecode) {
  EXPECT_EQ(Decoded(R"({"Candidates":[{"ID":"\u0062\/\\\"\n"}]})").candidates[0].id, "b/\\\"\n");
  EXPECT_EQ(Decoded(R"({"Model":"\u0000"})").model, std::string(1, '\0'));
}

TEST(JsonDecode, AnyValuesKeepGosOwnEncoding) {
  // Go decodes `any` numbers to float64 and objects to maps, and re-encodes them so.
  PickRequest r = Decoded(
      R"({"Options":{"Metadata":{"n":1.0,"big":1e21,"small":1e-7,"long":12345678901234567890,)"
      R"("frac":123456789.123456789,"obj":{"z":1,"a":[1,{"y":"<"}],"z":2},"s":"\u003c","t":true,)"
      R"("nil":null,"e":[],"o":{}}}})");
  const AnyMap& m = r.options.metadata;
  EXPECT_EQ(m.Find("n")->text, "1");
  EXPECT_EQ(m.Find("n")->kind, AnyValue::Kind::kNumber);
  EXPECT_EQ(m.Find("big")->text, "1e+21");
  EXPECT_EQ(m.Find("small")->text, "1e-7");
  EXPECT_EQ(m.Find("long")->text, "12345678901234567000");
  EXPECT_EQ(m.Find("frac")->text, "123456789.12345679");
  EXPECT_EQ(m.Find("obj")->text, R"({"a":[1,{"y":"\u003c"}],"z":2})");
  EXPECT_EQ(m.Find("obj")->kind, AnyValue::Kind::kObject);
  EXPECT_EQ(m.Find("s")->text, "<");  // strings are kept decoded
  EXPECT_EQ(m.Find("s")->kind, AnyValue::Kind::kString);
  EXPECT_EQ(m.Find("t")->text, "true");
  EXPECT_EQ(m.Find("nil")->kind, AnyValue::Kind::kNull);
  EXPECT_EQ(m.Find("e")->text, "[]");
  EXPECT_EQ(m.Find("o")->text, "{}");
}

TEST(JsonDecode, LargeMapsKeepGoSemantics) {
  // Enough keys to take the indexed path; duplicates still go to the last value.
  std::string body = R"({"Options":{"Metadata":{)";
  for (int i = 0; i < 2000; ++i)
    body += R"("k)" + std::to_string(i) + R"(":)" + std::to_string(i) + ",";
  body += R"("k7":"last"}}})";
  PickRequest r = Decoded(body);
  ASSERT_EQ(r.options.metadata.size(), 2000u);
  EXPECT_EQ(r.options.metadata.entries[0].first, "k0");
  EXPECT_EQ(r.options.metadata.Find("k7")->text, "last");
  EXPECT_EQ(r.options.metadata.Find("k1999")->text, "1999");
}

TEST(JsonDecode, PickResultAndRegistration) {
  PickResult result;
  ASSERT_TRUE(
      DecodePickResult(R"({"authid":" a ","DelegateBuiltin":"","handled":true})", &result).ok());
  EXPECT_EQ(result.auth_id, " a ");
  EXPECT_TRUE(result.handled);
  EXPECT_FALSE(DecodePickResult(R"({"Handled":"yes"})", &result).ok());

  Registration registration;
  ASSERT_TRUE(DecodeRegistration(
                  R"({"schema_version":3,"metadata":{"Name":"n","ConfigFields":[{"Name":"f",)"
                  R"("EnumValues":["",  "x"]}]},"capabilities":{"scheduler":true,"unknown":true}})",
                  &registration)
                  .ok());
  EXPECT_EQ(registration.schema_version, 3);
  EXPECT_EQ(registration.metadata.name, "n");
  ASSERT_EQ(registration.metadata.config_fields.size(), 1u);
  EXPECT_EQ(registration.metadata.config_fields[0].enum_values.size(), 2u);
  EXPECT_TRUE(registration.capabilities.scheduler);
  EXPECT_FALSE(DecodeRegistration(R"({"capabilities":{"scheduler":1}})", &registration).ok());
}

TEST(JsonDecode, UsageRecord) {
  UsageRecord record;
  ASSERT_TRUE(
      DecodeUsageRecord(
          R"({"Provider":"codex","AuthID":"a","Latency":1500000,"TTFT":20,"Failed":true,)"
          R"("Failure":{"StatusCode":429,"Body":"slow down"},"Detail":{"TotalTokens":7},)"
          R"("ResponseHeaders":{"Retry-After":["3"]},"RequestedAt":"2026-01-02T03:04:05.5Z"})",
          &record)
          .ok());
  EXPECT_EQ(record.provider, "codex");
  EXPECT_EQ(record.latency_ns, 1500000);
  EXPECT_EQ(record.ttft_ns, 20);
  EXPECT_TRUE(record.failed);
  EXPECT_EQ(record.failure.status_code, 429);
  EXPECT_EQ(record.detail.total_tokens, 7);
  EXPECT_EQ(record.requested_at, "2026-01-02T03:04:05.5Z");
  ASSERT_NE(FindHeader(record.response_headers, "retry-after"), nullptr);
  EXPECT_FALSE(DecodeUsageRecord(R"({"Latency":"1s"})", &record).ok());
}

}  // namespace
}  // namespace cliproxy::json

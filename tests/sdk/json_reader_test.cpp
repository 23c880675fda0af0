// JsonReader, the exact reader: what each kind of syntax error says and where, Go's string
// rules (surrogates, control characters), and that the fast path (simdjson) and the exact
// path decode the same texts to the same values.
#include "sdk/json_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cliproxy/json.hpp"
#include "sdk/stream_decoder.hpp"
#include "support/files.hpp"

namespace cliproxy::json::internal {
namespace {

// The decoder's message for `body` as a pick request, read by the exact path only.
std::string ExactFailure(std::string_view body) {
  PickRequest r;
  return DecodeStream(body, &r, "a pick request (object)", nullptr, DecodePath::kExactOnly).message;
}

TEST(JsonReader, EachSyntaxErrorNamesItsByteAndKind) {
  struct Case {
    const char* body;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"{}x", "invalid JSON at byte 2: The document root must not be followed by other values."},
      {"{\"a\":tru}", "invalid JSON at byte 8: Invalid value."},
      {"{\"a\":-x}", "invalid JSON at byte 6: Invalid value."},
      {"{\"a\":1.}", "invalid JSON at byte 7: Miss fraction part in number."},
      {"{\"a\":1e+}", "invalid JSON at byte 8: Miss exponent in number."},
      {"{\"a\":1e999}", "invalid JSON at byte 5: Number too big to be stored in double."},
      {"{1:2}", "invalid JSON at byte 1: Missing a name for object member."},
      {"{\"a\" 2}", "invalid JSON at byte 5: Missing a colon after a name of object member."},
      {"{\"a\":2 \"b\":3}",
       "invalid JSON at byte 7: Missing a comma or '}' after an object member."},
      {"{\"a\":[1 2]}", "invalid JSON at byte 8: Missing a comma or ']' after an array element."},
      {"{\"a\":[1,]}", "invalid JSON at byte 8: Invalid value."},
      {"{\"a\":\"\\x\"}", "invalid JSON at byte 6: Invalid escape character in string."},
      {"{\"a\":\"\\u12G4\"}",
       "invalid JSON at byte 6: Incorrect hex digit after \\u escape in string."},
      {"{\"a\":\"\x01\"}", "invalid JSON at byte 6: Invalid escape character in string."},
      {"{\"a\":01}", "invalid JSON at byte 6: Missing a comma or '}' after an object member."},
      {"", "unexpected end of JSON input"},
      {"{\"a\":\"\\u12", "unexpected end of JSON input"},
      {"{\"a\":[", "unexpected end of JSON input"},
      {"{\"a\"", "unexpected end of JSON input"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExactFailure(c.body), c.message) << c.body;
    // The decoder's contract is the exact path's outcome, whichever path read first.
    PickRequest r;
    EXPECT_EQ(DecodePickRequest(c.body, &r, PickFields::All()).message, c.message) << c.body;
  }
}

TEST(JsonReader, EscapedSurrogatesFollowGo) {
  auto model = [](std::string_view escaped) {
    PickRequest r;
    EXPECT_TRUE(DecodeStream("{\"Model\":\"" + std::string(escaped) + "\"}", &r, "x", nullptr,
                             DecodePath::kExactOnly)
                    .ok())
        << escaped;
    return r.model;
  };
  EXPECT_EQ(model("\\ud83d\\ude00"), "\xF0\x9F\x98\x80");  // a pair
  EXPECT_EQ(model("\\ud800"), "\xEF\xBF\xBD");             // lone high
  EXPECT_EQ(model("\\udc00"), "\xEF\xBF\xBD");             // lone low
  EXPECT_EQ(model("\\ud800\\u0041"),
            "\xEF\xBF\xBD"
            "A");  // high, then not a low
  EXPECT_EQ(model("\\udc00\\ud800\\udc00"), "\xEF\xBF\xBD\xF0\x90\x80\x80");
  EXPECT_EQ(model("\\ud800x"), "\xEF\xBF\xBDx");
}

TEST(JsonReader, DeepNestingIsReadWithoutRecursionUpToGosLimit) {
  std::string deep = "{\"Options\":{\"Metadata\":{\"k\":" + std::string(9990, '[') +
                     std::string(9990, ']') + "}}}";
  PickRequest r;
  EXPECT_TRUE(DecodePickRequest(deep, &r, PickFields::All()).ok());
  std::string deeper = "{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_NE(DecodePickRequest(deeper, &r).message.find("exceeded max nesting depth (10000)"),
            std::string::npos);
}

// Texts both paths accept decode to the same request (the fuzz target json_paths checks
// this on generated input; these are the shapes of real bodies).
TEST(JsonReader, BothPathsDecodeTheSameRequest) {
  const std::vector<std::string> bodies = {
      R"({"Model":"m","Stream":true,"Providers":["a","b"],"Options":{"Headers":{"X":["1","2"]},)"
      R"("Metadata":{"n":1.5,"z":{"b":[1,-0,1e21,"s"],"a":null},"t":true,"i":-12}},)"
      R"("Candidates":[{"ID":"a","Priority":-3,"Status":"active","Attributes":{"w":"2"}},)"
      R"({"ID":"b","Priority":18,"Attributes":null,"Metadata":{"x":[{}]}}]})",
      R"({"candidates":[{"id":"a"},{"ID":"b","id":"c"}],"MODEL":"x","model":"y"})",
      R"({"Options":{"Metadata":{"k":0e222,"j":4.4000861293337500e-332,"u":18446744073709551615}}})",
      R"({"Model":"tab\tand \"quote\" and \u00e9 and \/"})",
      "null",
      "{}",
      // Shapes the typed tape decoder (tape_decoder.hpp) gives up on, for the event walk:
      // repeated members (also by another spelling), null into slices and maps, `any`
      // scalars and containers stored, numbers that do not fit an int.
      R"({"Candidates":[{"ID":"a","ID":"b"}],"Providers":null,"Options":{"Headers":null}})",
      R"({"Candidates":[{"ID":"a","id":"b","Priority":1,"priority":2}]})",
      R"({"Options":{"Metadata":{"s":"x","n":-0,"b":false,"z":null,"o":{"k":[1]},"a":[]}}})",
      R"({"Candidates":[{"ID":"a","Priority":9223372036854775808}]})",
      R"({"Candidates":[{"ID":"a","Priority":1.0}],"Model":"m"})",
      R"({"Candidates":[{"ID":"a","Attributes":{"k":1}}]})",
      R"({"Candidates":[{"ID":"a","Attributes":{"k":null,"k":"v"},"Metadata":{"m":{"x":1}}}]})",
      R"({"Candidates":[{"ID":"a"},null,{"ID":"c","Status":null}],"Stream":null})",
      R"({"Providers":["a",null,"b"],"Options":{"Headers":{"X":null,"Y":["1",null]}}})",
      test_support::ReadTestData("real/pick-100.json"),
      test_support::ReadTestData("real/pick-3-session.json"),
      test_support::ReadTestData("pick-1000.json"),
  };
  for (const PickFields& want : {PickFields::All(), PickFields{}, PickFields::CandidateIds()}) {
    for (const std::string& body : bodies) {
      PickRequest fast;
      PickRequest exact;
      const DecodeStatus fast_status = DecodeStream(body, &fast, "x", &want, DecodePath::kFastOnly);
      const DecodeStatus exact_status =
          DecodeStream(body, &exact, "x", &want, DecodePath::kExactOnly);
      EXPECT_EQ(fast_status.message, exact_status.ok() ? "" : kFastPathRefused) << body;
      if (exact_status.ok()) {
        EXPECT_EQ(EncodePickRequest(fast), EncodePickRequest(exact)) << body;
      }
    }
  }
}

// A NUL byte anywhere is refused by the fast path itself (simdjson: no token outside
// strings, an unescaped control character inside), so only a refused text is scanned for
// it; the message names its offset.
TEST(JsonReader, NulBytesAreRefusedByBothPaths) {
  using namespace std::string_literals;
  const std::vector<std::string> bodies = {
      "\0{}"s,
      "{\0}"s,
      "{}\0"s,
      "{\"Model\":\"a\0b\"}"s,
      "{\"Candidates\":[{\"ID\":\"x\",\"Attributes\":{\"k\":\"\0\"}}]}"s,
      "{\"Unknown\":[\"\0\"],\"Model\":\"m\"}"s,
  };
  for (const std::string& body : bodies) {
    PickRequest fast;
    EXPECT_FALSE(DecodeStream(body, &fast, "x", nullptr, DecodePath::kFastOnly).ok())
        << testing::PrintToString(body);
    PickRequest r;
    r.model = "given";
    const DecodeStatus status = DecodeStream(body, &r, "x", nullptr, DecodePath::kAuto);
    EXPECT_EQ(status.message,
              "invalid JSON at byte " + std::to_string(body.find('\0')) + ": NUL byte");
    EXPECT_EQ(r.model, "given");  // nothing stored
  }
}

}  // namespace
}  // namespace cliproxy::json::internal

// Decoding reads the text once, storing values as it goes; these pin the outcomes that
// must not depend on that: which error wins, which error is reported first, bodies of
// every size, values skipped or not stored.
#include <gtest/gtest.h>

#include <string>

#include "cliproxy/json.hpp"

namespace cliproxy::json {
namespace {

std::string Failure(std::string_view body, const PickFields& want = PickFields::All()) {
  PickRequest request;
  DecodeStatus status = DecodePickRequest(body, &request, want);
  EXPECT_FALSE(status.ok()) << body;
  return status.message;
}

std::string CandidatesBody(size_t n, const std::string& extra = "") {
  std::string body = R"({"Provider":"codex","Candidates":[)";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += R"({"ID":"codex-user)" + std::to_string(i) + R"(@example.com.json","Priority":)" +
            std::to_string(i % 7) + R"(,"Attributes":{"plan":"plus"})" + extra + "}";
  }
  return body + "]}";
}

TEST(JsonDecodeStream, SyntaxErrorAfterATypeErrorWins) {
  // Go checks the whole text before it decodes: a later syntax error is what it reports.
  EXPECT_EQ(Failure(R"({"Candidates":[{"Priority":"x"}],)"), "unexpected end of JSON input");
  EXPECT_EQ(Failure(R"({"Model":1,"Stream":tru})"), "invalid JSON at byte 23: Invalid value.");
  EXPECT_EQ(Failure("[1,2"), "unexpected end of JSON input");  // not "cannot unmarshal array"
  EXPECT_EQ(Failure(R"({"Model":1}x)"),
            "invalid JSON at byte 11: The document root must not be followed by other values.");
}

TEST(JsonDecodeStream, ASyntaxErrorStoresNothing) {
  // Go checks the whole text first: a request it cannot read is left as it was.
  PickRequest r;
  r.model = "kept";
  r.candidates.emplace_back().id = "a";
  for (const char* body : {R"({"Model":"m","Candidates":[{"ID":"b"},{"ID":"c"}],"Stream":tru})",
                           R"({"Model":"m","Candidates":[{"ID":"b"}])"}) {
    EXPECT_FALSE(DecodePickRequest(body, &r, PickFields::All()).ok()) << body;
    EXPECT_EQ(r.model, "kept");
    ASSERT_EQ(r.candidates.size(), 1u);
    EXPECT_EQ(r.candidates[0].id, "a");
  }
}

TEST(JsonDecodeStream, DecodesIntoTheGivenRequestHoweverDeepTheText) {
  for (size_t depth : {1u, 100u, 300u, 5000u}) {
    PickRequest r;
    Candidate& given = r.candidates.emplace_back();
    given.id = "a";
    given.provider = "p";
    const std::string deep = std::string(depth, '[') + "1" + std::string(depth, ']');
    ASSERT_TRUE(DecodePickRequest(R"({"Candidates":[{"Status":"s"}],"Options":{"Metadata":{"d":)" +
                                      deep + R"(}},"X":)" + deep + "}",
                                  &r, PickFields::All())
                    .ok())
        << depth;
    ASSERT_EQ(r.candidates.size(), 1u);
    EXPECT_EQ(r.candidates[0].id, "a");
    EXPECT_EQ(r.candidates[0].provider, "p");
    EXPECT_EQ(r.candidates[0].status, "s");
    EXPECT_EQ(r.options.metadata.Find("d")->text, deep);
  }
}

TEST(JsonDecodeStream, ReportsTheFirstTypeErrorInTextOrder) {
  EXPECT_EQ(Failure(R"({"Model":1,"Stream":"x"})"),
            "Model: cannot unmarshal number 1 into a value of type string");
  EXPECT_EQ(Failure(R"({"Candidates":[{"ID":"a"},{"Status":"s","Priority":2.5,"ID":3}]})"),
            "Candidates[1].Priority: cannot unmarshal number 2.5 into a value of type int");
  // The path names the field, not the key's spelling; map keys are quoted as Go quotes them.
  EXPECT_EQ(
      Failure(R"({"options":{"HEADERS":{"X-\"q\"":[1]}}})"),
      R"(Options.Headers["X-\"q\""][0]: cannot unmarshal number 1 into a value of type string)");
  EXPECT_EQ(
      Failure(R"({"Candidates":[{"Attributes":{"k":{}}}]})"),
      R"(Candidates[0].Attributes["k"]: cannot unmarshal object into a value of type string)");
}

TEST(JsonDecodeStream, RootOfTheWrongKindNamesTheRequest) {
  EXPECT_EQ(Failure("12.5"), "cannot unmarshal number into a pick request (object)");
  EXPECT_EQ(Failure("true"), "cannot unmarshal bool into a pick request (object)");
  EXPECT_EQ(Failure(R"(["x"])"), "cannot unmarshal array into a pick request (object)");
}

TEST(JsonDecodeStream, TypeErrorsInsideValuesNotStoredStillFail) {
  PickFields nothing;
  nothing.providers = false;
  nothing.headers = false;
  nothing.request_metadata = false;
  nothing.candidate_attributes = false;
  nothing.candidate_metadata = false;
  EXPECT_EQ(Failure(R"({"Candidates":[{"Attributes":{"a":"1","b":["x"]}}]})", nothing),
            R"(Candidates[0].Attributes["b"]: cannot unmarshal array into a value of type string)");
  EXPECT_EQ(Failure(R"({"Providers":["a",{}]})", nothing),
            "Providers[1]: cannot unmarshal object into a value of type string");
  EXPECT_EQ(
      Failure(R"({"Plugin":{"ConfigFields":[{"Name":"n"},{"EnumValues":[true]}]}})", nothing),
      "Plugin.ConfigFields[1].EnumValues[0]: cannot unmarshal bool into a value of type string");
}

TEST(JsonDecodeStream, ValuesNotStoredAreCheckedAsGoChecksThem) {
  const PickFields ids = PickFields::CandidateIds();
  PickRequest r;
  ASSERT_TRUE(DecodePickRequest(R"({"Providers":["a",null],"Candidates":[{"ID":"a",)"
                                R"("Attributes":{"x":null,"y":"1"},"Metadata":{"m":[{"n":1}]}},)"
                                R"({"Metadata":null,"ID":"b","Attributes":null}]})",
                                &r, ids)
                  .ok());
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[1].id, "b");
  EXPECT_TRUE(r.candidates[0].attributes.empty());
  EXPECT_TRUE(r.candidates[0].metadata.empty());
  EXPECT_TRUE(r.providers.empty());
  // The containers' own kinds are checked as well as their values.
  EXPECT_EQ(Failure(R"({"Candidates":[{"Metadata":[]}]})", ids),
            "Candidates[0].Metadata: cannot unmarshal array into a value of type object");
  EXPECT_EQ(Failure(R"({"Providers":{}})", ids),
            "Providers: cannot unmarshal object into a value of type array");
  EXPECT_EQ(Failure(R"({"Candidates":[{"Attributes":["x"]}]})", ids),
            "Candidates[0].Attributes: cannot unmarshal array into a value of type object");
}

TEST(JsonDecodeStream, UnknownKeysAndAnyValuesMayHoldAnything) {
  PickRequest r;
  ASSERT_TRUE(DecodePickRequest(
                  R"({"Unknown":{"Candidates":[1,{"ID":2}],"x":[[[{}]]]},"Candidates":[{"ID":"a",)"
                  R"("Metadata":{"m":{"Priority":"x","n":[{"ID":1}]}},"Extra":[{"ID":5}]}]})",
                  &r, PickFields::All())
                  .ok());
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].id, "a");
  EXPECT_EQ(r.candidates[0].metadata.Find("m")->text, R"({"Priority":"x","n":[{"ID":1}]})");
}

TEST(JsonDecodeStream, DeepObjectsInAnyValuesAreWrittenBackWithinTheLimit) {
  // Objects nested as deep as Go allows, each with a duplicate key: Go keeps the last.
  const size_t depth = 9990;
  std::string deep;
  for (size_t i = 0; i < depth; ++i) deep += R"({"b":0,"a":)";
  deep += "1";
  for (size_t i = 0; i < depth; ++i) deep += R"(,"b":2})";
  PickRequest r;
  ASSERT_TRUE(
      DecodePickRequest(R"({"Options":{"Metadata":{"deep":)" + deep + "}}}", &r, PickFields::All())
          .ok());
  std::string expected;
  for (size_t i = 0; i < depth; ++i) expected += R"({"a":)";
  expected += "1";
  for (size_t i = 0; i < depth; ++i) expected += R"(,"b":2})";
  EXPECT_EQ(r.options.metadata.Find("deep")->text, expected);
}

TEST(JsonDecodeStream, BodiesOfEverySizeDecodeTheSame) {
  // Empty, small and large (over 1 MiB) bodies, and a small one after a large one.
  for (size_t n : {0u, 1u, 1000u, 12000u, 3u}) {
    PickRequest r;
    const std::string body = CandidatesBody(n);
    ASSERT_TRUE(DecodePickRequest(body, &r, PickFields::All()).ok()) << n;
    ASSERT_EQ(r.candidates.size(), n);
    if (n == 0) continue;
    EXPECT_EQ(r.candidates[n - 1].id, "codex-user" + std::to_string(n - 1) + "@example.com.json");
    EXPECT_EQ(r.candidates[n - 1].priority, static_cast<int64_t>((n - 1) % 7));
    EXPECT_EQ(*r.candidates[n - 1].attributes.Find("plan"), "plus");
  }
}

}  // namespace
}  // namespace cliproxy::json

// NormalizePickResult: CLIProxyAPI's normalization of a scheduler.pick result.
#include <gtest/gtest.h>

#include "cliproxy/host/pick_normalization.hpp"
#include "host_test_support.hpp"

namespace cliproxy::host {
namespace {

using Kind = NormalizedPick::Kind;
using testing::MakeCandidate;

Slice<Candidate> Candidates(std::initializer_list<const char*> ids) {
  Slice<Candidate> out;
  for (const char* id : ids) out.push_back(MakeCandidate(id));
  return out;
}

PickResult Result(std::string auth_id, std::string delegate, bool handled = true) {
  return PickResult{std::move(auth_id), std::move(delegate), handled};
}

TEST(NormalizationTest, HandledFalseIsUnhandledWhateverElseIsSet) {
  NormalizedPick n = NormalizePickResult(Result("a", "fill-first", false), Candidates({"a"}));
  EXPECT_EQ(n.kind, Kind::kUnhandled);
}

TEST(NormalizationTest, KnownAuthIdIsChosen) {
  NormalizedPick n = NormalizePickResult(Result("b", ""), Candidates({"a", "b"}));
  EXPECT_EQ(n.kind, Kind::kAuth);
  EXPECT_EQ(n.auth_id, "b");
}

TEST(NormalizationTest, AuthIdAndDelegateAreTrimmedAsGoTrimsSpace) {
  // ASCII white space and Unicode spaces (U+00A0, U+3000) go; the candidate is matched.
  NormalizedPick auth =
      NormalizePickResult(Result("\t\xC2\xA0 b \xE3\x80\x80\n", ""), Candidates({"a", "b"}));
  EXPECT_EQ(auth.kind, Kind::kAuth);
  EXPECT_EQ(auth.auth_id, "b");
  NormalizedPick delegate =
      NormalizePickResult(Result(" ", "  round-robin\r\n"), Candidates({"a"}));
  EXPECT_EQ(delegate.kind, Kind::kDelegate);
  EXPECT_EQ(delegate.delegate, BuiltinStrategy::kRoundRobin);
}

TEST(NormalizationTest, CandidateIdsAreComparedTrimmedAndReturnedAsOffered) {
  NormalizedPick n = NormalizePickResult(Result("b", ""), Candidates({"a", " b "}));
  EXPECT_EQ(n.kind, Kind::kAuth);
  EXPECT_EQ(n.auth_id, " b ");
}

TEST(NormalizationTest, UnknownAuthIdIsInvalid) {
  NormalizedPick n = NormalizePickResult(Result("zzz", ""), Candidates({"a"}));
  EXPECT_EQ(n.kind, Kind::kInvalid);
  EXPECT_EQ(n.reason, "unknown auth id");
}

TEST(NormalizationTest, AuthIdMatchingIsCaseSensitive) {
  EXPECT_EQ(NormalizePickResult(Result("A", ""), Candidates({"a"})).kind, Kind::kInvalid);
}

TEST(NormalizationTest, UnknownAuthIdIsInvalidEvenBesideAValidDelegate) {
  NormalizedPick n = NormalizePickResult(Result("zzz", "fill-first"), Candidates({"a"}));
  EXPECT_EQ(n.kind, Kind::kInvalid);
  EXPECT_EQ(n.reason, "unknown auth id");
}

TEST(NormalizationTest, ValidAuthIdWinsOverAnInvalidDelegate) {
  NormalizedPick n = NormalizePickResult(Result("a", "weighted-round-robin"), Candidates({"a"}));
  EXPECT_EQ(n.kind, Kind::kAuth);
  EXPECT_EQ(n.auth_id, "a");
}

TEST(NormalizationTest, OnlyTheTwoBuiltinsAreDelegates) {
  EXPECT_EQ(NormalizePickResult(Result("", "fill-first"), Candidates({"a"})).delegate,
            BuiltinStrategy::kFillFirst);
  for (const char* name : {"ROUND-ROBIN", "Fill-First", "weighted-round-robin", "configured",
                           "concurrency-balanced", "round_robin"}) {
    NormalizedPick n = NormalizePickResult(Result("", name), Candidates({"a"}));
    EXPECT_EQ(n.kind, Kind::kInvalid) << name;
    EXPECT_EQ(n.reason, "unknown delegate") << name;
  }
}

TEST(NormalizationTest, NeitherAuthIdNorDelegateIsInvalid) {
  NormalizedPick blank = NormalizePickResult(Result(" \t", "\n"), Candidates({"a"}));
  EXPECT_EQ(blank.kind, Kind::kInvalid);
  EXPECT_EQ(blank.reason, "missing auth id or delegate");
}

TEST(NormalizationTest, NoCandidatesMakesEveryAuthIdUnknown) {
  EXPECT_EQ(NormalizePickResult(Result("a", ""), Candidates({})).reason, "unknown auth id");
}

}  // namespace
}  // namespace cliproxy::host

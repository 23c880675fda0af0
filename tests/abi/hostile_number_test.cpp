// Numbers that crashed or fooled the JSON parser scheduler.so used to link (RapidJSON 1.1.0
// read out of its cached-powers table for decimal exponents below about -348, decoded
// 4.4000861293337500e-332 as -1.07e301 and had undefined behaviour on 0e222), sent through
// every entry point of the built scheduler.so. Each must get a valid reply, and numbers
// must mean what Go's strconv.ParseFloat makes of them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler_so.hpp"

namespace cliproxy::abi_test {
namespace {

// Hostile literals: far below the smallest subnormal, mis-rounded before, zero with a huge
// exponent, beyond float64, beyond 64-bit integers, and long mantissas.
const std::vector<std::string> kNumbers = {
    "44.0008612933375000560562e-333",
    "4.4000861293337500e-332",
    "0e222",
    "-0e-99999999999999999999",
    "1e-400",
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "2.2250738585072011e-308",
    "1" + std::string(5000, '0'),
    "0." + std::string(5000, '0') + "1",
    "9" + std::string(400, '9') + "e-700",
};

void ExpectValid(const Reply& reply, const std::string& what) {
  Envelope env = ReadEnvelope(reply.body);
  EXPECT_TRUE(env.valid) << what << ": " << env.problem << " in " << reply.body;
}

const char* kUsageRoute = "routes:\n  - name: spread\n    strategy: least-used\n";

TEST(AbiHostileNumbers, EveryEntryPointAnswersWithAValidEnvelope) {
  SchedulerSo so;
  ASSERT_EQ(so.Register(LifecycleBody(kUsageRoute)).rc, 0);
  for (const std::string& n : kNumbers) {
    ExpectValid(so.Pick(n), "pick body " + n);
    ExpectValid(so.Pick(R"({"Options":{"Metadata":{"k":)" + n + R"(}},"Candidates":[{"ID":"a"}]})"),
                "metadata value " + n);
    ExpectValid(so.Pick(R"({"Candidates":[{"ID":"a","Priority":)" + n + "}]}"), "priority " + n);
    ExpectValid(so.Call("usage.handle", R"({"AuthID":"a","Latency":)" + n + "}"),
                "usage Latency " + n);
    ExpectValid(so.Call("scheduler.explain", R"({"Options":{"Metadata":{"k":)" + n + "}}}"),
                "explain " + n);
    ExpectValid(so.Reconfigure(R"({"config_yaml":null,"schema_version":)" + n + "}"),
                "schema_version " + n);
  }
  // The plugin still answers normally afterwards.
  ExpectValid(so.Reconfigure(LifecycleBody("auth_id: b\n")), "reconfigure");
  EXPECT_EQ(so.Pick(PickBody({"a", "b"})).body, AuthReply("b"));
}

TEST(AbiHostileNumbers, ANumberTooBigForAFloat64IsAnErrorNamingTheByte) {
  SchedulerSo so;
  ASSERT_EQ(so.Register(LifecycleBody("auth_id: a\n")).rc, 0);
  Envelope env = ReadEnvelope(so.Pick(R"({"Options":{"Metadata":{"k":1e400}}})").body);
  EXPECT_FALSE(env.ok);
  EXPECT_EQ(env.code, "invalid_request");
  EXPECT_NE(env.message.find("invalid JSON at byte 28: Number too big"), std::string::npos)
      << env.message;
}

// Metadata values are compared as Go writes back what it decoded into an `any`: every
// spelling of zero is the float64 0, written "0"; an underflow is zero too.
TEST(AbiHostileNumbers, ZeroSpelledAnyWayMatchesAMetadataRuleOnZero) {
  SchedulerSo so;
  ASSERT_EQ(so.Register(LifecycleBody("routes:\n  - name: zero\n    when: {metadata: {k: \"0\"}}\n"
                                      "    strategy: fill-first\n"))
                .rc,
            0);
  for (const char* zero : {"0", "0e222", "0.0", "-0", "1e-400", "4.4000861293337500e-332",
                           "44.0008612933375000560562e-333"}) {
    EXPECT_EQ(so.Pick(R"({"Options":{"Metadata":{"k":)" + std::string(zero) +
                      R"(}},"Candidates":[{"ID":"a"},{"ID":"b"}]})")
                  .body,
              AuthReply("a"))
        << zero;
  }
  // A value that is not zero does not match (the route is not taken: unhandled).
  EXPECT_EQ(so.Pick(R"({"Options":{"Metadata":{"k":1e-300}},"Candidates":[{"ID":"a"}]})").body,
            UnhandledReply());
}

}  // namespace
}  // namespace cliproxy::abi_test

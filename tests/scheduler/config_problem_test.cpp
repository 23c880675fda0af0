// ConfigProblem: what the plugin reports about a rejected configuration (the key and its
// position for the host log; the message without quoted values for the proxy's clients),
// and ReadFailOpen: the one key read from a configuration that is otherwise unusable.
#include "scheduler/config_problem.hpp"

#include <gtest/gtest.h>

#include "base/yaml_reader.hpp"
#include "scheduler/config.hpp"

namespace cliproxy::scheduler {
namespace {

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseConfig(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigProblemTest, AKeyErrorNamesTheKeyLineAndColumn) {
  ConfigProblem p = ReadConfigProblem(ErrorOf("auth_id: a\ndeny: 1\n"));
  EXPECT_EQ(p.key, "deny");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 7);
  EXPECT_EQ(p.what, "expected a boolean (true/false, yes/no, on/off), got `1`");
}

TEST(ConfigProblemTest, AKeyPathMayHoldColons) {
  ConfigProblem p = ReadConfigProblem(
      "routes[0].weights.openai-compatibility:mock:1a82: line 6, column 9: expected a number");
  EXPECT_EQ(p.key, "routes[0].weights.openai-compatibility:mock:1a82");
  EXPECT_EQ(p.line, 6);
  EXPECT_EQ(p.column, 9);
  EXPECT_EQ(p.what, "expected a number");
}

TEST(ConfigProblemTest, BrokenYamlHasAPositionButNoKey) {
  ConfigProblem p = ReadConfigProblem(ErrorOf("auth_id: [\n"));
  EXPECT_EQ(p.key, "");
  EXPECT_GT(p.line, 0);
  EXPECT_FALSE(p.what.empty());
  EXPECT_EQ(p.what.find("invalid YAML"), std::string::npos) << p.what;
}

TEST(ConfigProblemTest, TheDocumentItselfHasNoKey) {
  ConfigProblem p = ReadConfigProblem(ErrorOf("just a plain scalar"));
  EXPECT_EQ(p.key, "");
  EXPECT_EQ(p.line, 1);
  EXPECT_NE(p.what.find("mapping"), std::string::npos) << p.what;
}

TEST(ConfigProblemTest, AMessageWithoutPositionIsKeptWhole) {
  ConfigProblem p = ReadConfigProblem("config is not valid UTF-8: byte 0xc3 at offset 9");
  EXPECT_EQ(p.key, "");
  EXPECT_EQ(p.line, 0);
  EXPECT_EQ(p.what, "config is not valid UTF-8: byte 0xc3 at offset 9");
}

TEST(ConfigProblemTest, QuotedValuesAreLeftOutForClients) {
  EXPECT_EQ(WithoutQuotedValues("unknown strategy \"stcky\" (known: order, sticky)"),
            "unknown strategy \"...\" (known: order, sticky)");
  EXPECT_EQ(WithoutQuotedValues("expected a boolean, got `Bearer sk-client-a`"),
            "expected a boolean, got `...`");
  EXPECT_EQ(WithoutQuotedValues("a `b` c \"d\" e"), "a `...` c \"...\" e");
  EXPECT_EQ(WithoutQuotedValues("never closed: `secret"), "never closed: `...`");
  EXPECT_EQ(WithoutQuotedValues("nothing quoted"), "nothing quoted");
}

TEST(ReadFailOpenTest, IsReadFromAMappingWhateverElseIsWrong) {
  EXPECT_EQ(ReadFailOpen("fail_open: true\ndeny: 1\n"), true);
  EXPECT_EQ(ReadFailOpen("deny: 1\nfail_open: yes\nroutes: [{name: x, strategy: y}]\n"), true);
  EXPECT_EQ(ReadFailOpen("fail_open: false\n"), false);
}

TEST(ReadFailOpenTest, IsAbsentWhenItCannotBeRead) {
  EXPECT_EQ(ReadFailOpen(""), std::nullopt);
  EXPECT_EQ(ReadFailOpen("deny: 1\n"), std::nullopt);                            // no such key
  EXPECT_EQ(ReadFailOpen("fail_open: true\nauth_id: [\n"), std::nullopt);        // not YAML
  EXPECT_EQ(ReadFailOpen("just a plain scalar"), std::nullopt);                  // not a mapping
  EXPECT_EQ(ReadFailOpen("fail_open: 1\n"), std::nullopt);                       // not a boolean
  EXPECT_EQ(ReadFailOpen("fail_open: true\nfail_open: false\n"), std::nullopt);  // twice
}

TEST(ReadFailOpenTest, AValidConfigurationCarriesIt) {
  EXPECT_TRUE(ParseConfig("fail_open: true\n").fail_open);
  EXPECT_FALSE(ParseConfig("").fail_open);
  EXPECT_NE(ErrorOf("fail_open: 1\n").find("fail_open: line 1, column 12"), std::string::npos);
}

}  // namespace
}  // namespace cliproxy::scheduler

// ParseConfig with the rules of gopkg.in/yaml.v3 decoding into the reference plugin's
// struct {auth_id string; delegate string; deny bool}, then strings.TrimSpace. Every
// expectation below is what yaml.v3 v3.0.1 gives for the same document.
#include "scheduler/config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {
namespace {

Config Parsed(const std::string& yaml) {
  try {
    return ParseConfig(yaml);
  } catch (const ConfigError& e) {
    ADD_FAILURE() << testing::PrintToString(yaml) << ": " << e.what();
    return {};
  }
}

std::string Failure(const std::string& yaml) {
  try {
    ParseConfig(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << testing::PrintToString(yaml) << " was accepted";
  return {};
}

void ExpectMentions(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "\"" << part << "\" not in: " << message;
  }
}

TEST(ParseConfig, EmptyNullOrCommentIsTheDefault) {
  for (const char* yaml : {"", "~", "null", "# only a comment\n", "---\n", "{}"}) {
    Config c = Parsed(yaml);
    EXPECT_EQ(c.auth_id, "") << yaml;
    EXPECT_EQ(c.delegate, "") << yaml;
    EXPECT_FALSE(c.deny) << yaml;
  }
}

TEST(ParseConfig, ReadsTheReferenceKeysAndIgnoresTheHostsKeys) {
  Config c = Parsed(
      "enabled: true\npriority: 1\nstore:\n  version: 1.0.0\n  release-tag: v1\n"
      "auth_id: b\ndelegate: fill-first\ndeny: false\nunknown: [1, {x: y}]\n");
  EXPECT_EQ(c.auth_id, "b");
  EXPECT_EQ(c.delegate, "fill-first");
  EXPECT_FALSE(c.deny);
}

TEST(ParseConfig, KeysAreCaseSensitive) {
  Config c = Parsed("Auth_ID: b\nDELEGATE: round-robin\nDeny: true\n");
  EXPECT_EQ(c.auth_id, "");
  EXPECT_EQ(c.delegate, "");
  EXPECT_FALSE(c.deny);
}

TEST(ParseConfig, DuplicateKeysAreErrorsNamingBothLines) {
  ExpectMentions(Failure("auth_id: a\nauth_id: b\n"),
                 {"line 2", "\"auth_id\"", "already defined at line 1"});
  // Quoting does not make a different key.
  ExpectMentions(Failure("deny: true\n'deny': false\n"), {"line 2", "\"deny\""});
  ExpectMentions(Failure("{auth_id: b, auth_id: c}"), {"\"auth_id\""});
  // Duplicates below keys the plugin does not read are not looked at (as in yaml.v3).
  EXPECT_EQ(Parsed("store: {a: 1, a: 2}\nauth_id: b").auth_id, "b");
}

TEST(ParseConfig, OnlyTheFirstDocumentCounts) {
  EXPECT_EQ(Parsed("auth_id: a\n---\nauth_id: b\n").auth_id, "a");
  EXPECT_EQ(Parsed("auth_id: a\n...\nauth_id: b\n").auth_id, "a");
  EXPECT_EQ(Parsed("---\nauth_id: a\n---\n{").auth_id, "a");  // the second is never parsed
}

TEST(ParseConfig, StringsAreTrimmedWithGoTrimSpace) {
  EXPECT_EQ(Parsed("delegate: ' round-robin '").delegate, "round-robin");
  EXPECT_EQ(Parsed("auth_id: \"\\tb\\n\"").auth_id, "b");
  EXPECT_EQ(Parsed("auth_id: \" b\\u00a0\"").auth_id, "b");
  EXPECT_EQ(Parsed("auth_id: \"\\u3000b\\u2003\"").auth_id, "b");
  EXPECT_EQ(Parsed("auth_id: \"\\N b\\_\"").auth_id, "b");  // NEL and NBSP escapes
  EXPECT_EQ(Parsed("auth_id: \"\\u200bb\"").auth_id,
            "\xE2\x80\x8B"
            "b");
  EXPECT_EQ(Parsed("delegate: ROUND-ROBIN").delegate, "ROUND-ROBIN");  // no case folding
}

TEST(ParseConfig, AnyScalarIsAStringAsWritten) {
  EXPECT_EQ(Parsed("auth_id: 123").auth_id, "123");
  EXPECT_EQ(Parsed("auth_id: 1.50").auth_id, "1.50");
  EXPECT_EQ(Parsed("auth_id: 0x1F").auth_id, "0x1F");
  EXPECT_EQ(Parsed("auth_id: true").auth_id, "true");
  EXPECT_EQ(Parsed("auth_id: 2001-12-14").auth_id, "2001-12-14");
  EXPECT_EQ(Parsed("auth_id: 'a''b'").auth_id, "a'b");
  EXPECT_EQ(Parsed("auth_id: a b  c # note").auth_id, "a b  c");
  EXPECT_EQ(Parsed("auth_id: |\n  multi\n  line\n").auth_id, "multi\nline");
  EXPECT_EQ(Parsed("auth_id: >\n  folded\n  text\n").auth_id, "folded text");
  EXPECT_EQ(Parsed("auth_id: &x b\ndelegate: *x").delegate, "b");
  EXPECT_EQ(Parsed("auth_id: !!binary YWJj").auth_id, "abc");
  EXPECT_EQ(Parsed("auth_id: !custom b").auth_id, "b");
}

TEST(ParseConfig, NullLeavesTheZeroValue) {
  for (const char* yaml :
       {"auth_id: ~", "auth_id: null", "auth_id:", "auth_id: ''", "deny: ~", "deny:"}) {
    Config c = Parsed(yaml);
    EXPECT_EQ(c.auth_id, "") << yaml;
    EXPECT_FALSE(c.deny) << yaml;
  }
}

TEST(ParseConfig, DenyTakesYaml12BooleansAndYaml11Words) {
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON",
                          "'yes'", "\"on\"", "!!str yes", "!!bool true"}) {
    EXPECT_TRUE(Parsed(std::string("deny: ") + yes).deny) << yes;
  }
  for (const char* no :
       {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF", "'no'"}) {
    EXPECT_FALSE(Parsed(std::string("deny: ") + no).deny) << no;
  }
}

TEST(ParseConfig, DenyRefusesNumbersQuotedTrueAndOtherWords) {
  for (const char* bad :
       {"1", "0", "\"true\"", "'false'", "tRUE", "1.0", ".nan", "0x1", "2001-12-14", "yes please",
        "[]", "{}", "!!bool yes", "!!int 1", "!!str true"}) {
    std::string message = Failure(std::string("deny: ") + bad);
    ExpectMentions(message, {"deny", "line 1, column 7"});
  }
}

TEST(ParseConfig, NonScalarStringsAreErrorsNamingKeyAndPosition) {
  ExpectMentions(Failure("enabled: true\nauth_id: [b]\n"),
                 {"auth_id", "line 2, column 10", "sequence"});
  ExpectMentions(Failure("delegate:\n  x: 1\n"), {"delegate", "line 2, column 3", "mapping"});
}

TEST(ParseConfig, ExplicitTagsMustFitTheirValue) {
  ExpectMentions(Failure("auth_id: !!int abc"), {"auth_id", "!!int"});
  ExpectMentions(Failure("auth_id: !!float x"), {"auth_id", "!!float"});
  ExpectMentions(Failure("auth_id: !!binary Y-Jj"), {"auth_id", "!!binary"});
  EXPECT_EQ(Parsed("auth_id: !!int 0x10").auth_id, "0x10");
  EXPECT_EQ(Parsed("auth_id: !!float 1").auth_id, "1");
}

TEST(ParseConfig, TheDocumentMustBeAMapping) {
  ExpectMentions(Failure("just a string"), {"mapping", "line 1, column 1", "`just a string`"});
  ExpectMentions(Failure("- a\n- b\n"), {"mapping", "sequence"});
  ExpectMentions(Failure("'quoted'"), {"mapping"});
}

TEST(ParseConfig, InvalidYamlNamesThePosition) {
  ExpectMentions(Failure("auth_id: [\n"), {"invalid YAML", "line"});
  ExpectMentions(Failure("auth_id: a\n  bad: indent\n"), {"invalid YAML", "line 2"});
  ExpectMentions(Failure("\tauth_id: a"), {"invalid YAML", "line 1"});
}

TEST(ParseConfig, AKeyWithoutColonSpaceIsAnError) {
  // "deny:true" is a plain scalar, not a key and a value: yaml.v3 refuses the mapping line.
  ExpectMentions(Failure("auth_id: b\ndeny:true\n"), {"line 2", "could not find expected ':'"});
  ExpectMentions(Failure("auth_id: b\n'deny'\n"), {"line 2"});
  ExpectMentions(Failure("store:\n  x: 1\n  y:z\n"), {"line 3"});  // below unread keys too
  ExpectMentions(Failure("store:\n  x: 1\n  y:z\nauth_id: b"), {"invalid YAML"});
  EXPECT_TRUE(Parsed("auth_id: b\ndeny:\n").auth_id == "b");
  EXPECT_EQ(Parsed("a: 1\n? b\nauth_id: c").auth_id, "c");    // an explicit key needs no value
  EXPECT_EQ(Parsed("a: {x, y:z}\nauth_id: c").auth_id, "c");  // flow mappings allow it
}

TEST(ParseConfig, AnUnclosedQuoteIsAnErrorNotASwallowedLine) {
  // yaml-cpp would close the string at the end and read auth_id as "b deny: yes ".
  ExpectMentions(Failure("auth_id: \"b\ndeny: yes\n"), {"line 1, column 10", "never closed"});
  ExpectMentions(Failure("auth_id: 'b\ndeny: yes\n"), {"never closed"});
  ExpectMentions(Failure("auth_id: &x !!str 'b\n"), {"never closed"});
  EXPECT_EQ(Parsed("auth_id: 'it''s'\ndeny: yes").auth_id, "it's");
  EXPECT_EQ(Parsed("auth_id: \"a\\\"b\"\ndeny: yes").auth_id, "a\"b");
  EXPECT_EQ(Parsed("auth_id: \"multi\n  line\"\ndeny: yes").auth_id, "multi line");
}

TEST(ParseConfig, AnEmptyKeyIsAnError) {
  ExpectMentions(Failure(": x\nauth_id: b"), {"line 1", "did not find expected key"});
}

TEST(ParseConfig, CharactersYamlForbidsAreErrorsWithPosition) {
  ExpectMentions(Failure("enabled: true\nauth_id: a\xFF"
                         "b\n"),
                 {"not valid UTF-8", "0xFF", "line 2, column 11"});
  ExpectMentions(Failure("auth_id: a\x01"), {"control character U+0001", "line 1, column 11"});
  ExpectMentions(Failure("auth_id: a\x7F"), {"U+007F"});
  ExpectMentions(Failure("auth_id: a\xC2\x80"), {"U+0080"});
  ExpectMentions(Failure(std::string("auth_id: a\0", 11)), {"U+0000"});
  // Tab, CR, LF, NEL, BOM and the rest of Unicode are fine.
  EXPECT_EQ(Parsed("\xEF\xBB\xBF"
                   "auth_id: \xC3\xA9\t\r\ndeny: yes\r\n")
                .auth_id,
            "\xC3\xA9");
}

TEST(ParseConfig, DeepNestingIsAnErrorNotACrash) {
  ExpectMentions(Failure("auth_id: " + std::string(100000, '[') + std::string(100000, ']')),
                 {"invalid YAML", "nesting deeper than"});
}

TEST(ParseConfig, AliasesAreReadOnceEachNotExpanded) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    yaml += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  EXPECT_EQ(Parsed(yaml + "auth_id: b\n").auth_id, "b");  // 9^10 leaves if expanded
}

TEST(ParseConfig, ALoneCarriageReturnBreaksTheLine) {
  Config c = Parsed("auth_id: b\rdeny: true\r");
  EXPECT_EQ(c.auth_id, "b");
  EXPECT_TRUE(c.deny);
}

TEST(ParseConfig, OnlyYaml11DirectivesAreAccepted) {
  EXPECT_EQ(Parsed("%YAML 1.1\n---\nauth_id: b").auth_id, "b");
  ExpectMentions(Failure("%YAML 1.2\n---\nauth_id: b"), {"%YAML 1.2", "line 1"});
}

// Values of keys the plugin ignores are scanned, not loaded (config_cost_test measures
// it), and still checked as yaml.v3 checks them; one that defines an anchor is loaded,
// since an alias may use it.
TEST(ParseConfig, IgnoredValuesAreCheckedAndTheirAnchorsStillServe) {
  EXPECT_EQ(Parsed("store: [a, {b: c}, [d]]\nauth_id: x\nextra: {e: [f]}\n").auth_id, "x");
  ExpectMentions(Failure("store: 'open\nauth_id: b\n"), {"line 1", "never closed"});
  ExpectMentions(Failure("store:\n  a:\n    x: 1\n    y:z\n"),
                 {"line 4", "could not find expected ':'"});
  ExpectMentions(Failure("store: 1\nstore: 2\n"), {"already defined"});
  EXPECT_EQ(Parsed("store: &s {auth_id: z}\nother: [1, 2]\n<<: *s\n").auth_id, "z");
  EXPECT_EQ(Parsed("x: [&a one, 2]\ny: {k: &b two}\nauth_id: *b\n").auth_id, "two");
}

TEST(ParseConfig, MergeKeysFollowYamlV3) {
  EXPECT_EQ(Parsed("<<: {auth_id: b}").auth_id, "b");
  // The mapping's own keys win, wherever the merge is written.
  Config c = Parsed("auth_id: a\n<<: {auth_id: b, delegate: fill-first}");
  EXPECT_EQ(c.auth_id, "a");
  EXPECT_EQ(c.delegate, "fill-first");
  EXPECT_EQ(Parsed("<<: {auth_id: b}\nauth_id: a").auth_id, "a");
  // In a list of merged mappings the first one wins; merges nest.
  EXPECT_EQ(Parsed("<<: [{auth_id: b}, {auth_id: c, deny: yes}]").auth_id, "b");
  EXPECT_TRUE(Parsed("<<: [{auth_id: b}, {auth_id: c, deny: yes}]").deny);
  c = Parsed("a: &a {auth_id: a}\nb: &b {<<: *a, delegate: fill-first}\n<<: *b");
  EXPECT_EQ(c.auth_id, "a");
  EXPECT_EQ(c.delegate, "fill-first");
  // A quoted "<<" is an ordinary key; merged values are still type-checked.
  EXPECT_EQ(Parsed("'<<': {auth_id: b}").auth_id, "");
  ExpectMentions(Failure("a: &a {deny: 1}\n<<: *a"), {"deny"});
  ExpectMentions(Failure("<<: x"), {"merge"});
  ExpectMentions(Failure("<<: [x]"), {"merge"});
}

}  // namespace
}  // namespace cliproxy::scheduler

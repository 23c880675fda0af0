// YamlReader: typed reads with yaml.v3's rules and errors that name the key path and the
// line/column, for every key the scheduler reads (the reference keys and `routes`).
#include "base/yaml_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace cliproxy::scheduler {
namespace {

YamlReader Root(const std::string& yaml) { return YamlReader(YamlReader::Load(yaml), ""); }

// The value of `key` in a top-level mapping.
YamlReader Value(const std::string& yaml, const std::string& key) {
  YamlReader found(YAML::Node(), "");
  bool seen = false;
  Root(yaml).ForEach([&](const std::string& k, const YamlReader& v) {
    if (k == key) {
      found = v;
      seen = true;
    }
  });
  EXPECT_TRUE(seen) << key;
  return found;
}

template <class F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(YamlReader, ForEachVisitsKeysInDocumentOrderWithPaths) {
  std::vector<std::string> seen;
  Root("b: 1\na:\n  c: 2\n").ForEach([&](const std::string& key, const YamlReader& value) {
    seen.push_back(key + "=" + value.path());
    if (key == "a") {
      value.ForEach(
          [&](const std::string& k, const YamlReader& v) { seen.push_back(k + "=" + v.path()); });
    }
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"b=b", "a=a", "c=a.c"}));
}

TEST(YamlReader, ForEachItemNamesTheIndex) {
  std::vector<std::string> paths;
  Value("routes:\n  - x\n  - y\n", "routes").ForEachItem([&](size_t i, const YamlReader& item) {
    paths.push_back(std::to_string(i) + ":" + item.path() + ":" + item.String());
  });
  EXPECT_EQ(paths, (std::vector<std::string>{"0:routes[0]:x", "1:routes[1]:y"}));
  size_t count = 0;
  Value("routes: ~", "routes").ForEachItem([&](size_t, const YamlReader&) { ++count; });
  EXPECT_EQ(count, 0u);
}

TEST(YamlReader, FailNamesPathLineAndColumn) {
  std::string message = ErrorOf([] {
    Value("routes:\n  - name: a\n    strategy: [x]\n", "routes")
        .ForEachItem([](size_t, const YamlReader& item) {
          item.ForEach([](const std::string& key, const YamlReader& v) {
            if (key == "strategy") v.String();
          });
        });
  });
  EXPECT_EQ(message, "routes[0].strategy: line 3, column 15: expected a string, got a sequence");
}

TEST(YamlReader, DuplicateKeysAreFoundInEveryMappingItReads) {
  std::string message = ErrorOf([] {
    Value("routes:\n  - name: a\n    name: b\n", "routes")
        .ForEachItem([](size_t, const YamlReader& item) {
          item.ForEach([](const std::string&, const YamlReader&) {});
        });
  });
  EXPECT_EQ(message, "routes[0]: line 3, column 5: mapping key \"name\" already defined at line 2");
}

TEST(YamlReader, WrongContainerKindsAreErrors) {
  EXPECT_NE(ErrorOf([] {
              Value("a: [1]", "a").ForEach([](const std::string&, const YamlReader&) {});
            }).find("a: line 1, column 4: expected a mapping, got a sequence"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Value("a: {x: 1}", "a").ForEachItem([](size_t, const YamlReader&) {});
            }).find("expected a sequence, got a mapping"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              Root("? [a]\n: b\n").ForEach([](const std::string&, const YamlReader&) {});
            }).find("mapping keys must be scalars"),
            std::string::npos);
}

TEST(YamlReader, StringsTakesOneScalarOrASequenceOfScalars) {
  EXPECT_EQ(Value("a: x", "a").Strings(), (std::vector<std::string>{"x"}));
  EXPECT_EQ(Value("a: [x, 'y', 3]", "a").Strings(), (std::vector<std::string>{"x", "y", "3"}));
  EXPECT_TRUE(Value("a: ~", "a").Strings().empty());
  EXPECT_NE(ErrorOf([] { Value("a: [x, [y]]", "a").Strings(); }).find("a[1]: line 1"),
            std::string::npos);
}

TEST(YamlReader, IntResolvesLikeYamlV3AndRefusesFloats) {
  EXPECT_EQ(Value("a: 42", "a").Int(), 42);
  EXPECT_EQ(Value("a: -7", "a").Int(), -7);
  EXPECT_EQ(Value("a: +7", "a").Int(), 7);
  EXPECT_EQ(Value("a: 1_000", "a").Int(), 1000);
  EXPECT_EQ(Value("a: 0x1F", "a").Int(), 31);
  EXPECT_EQ(Value("a: 0o17", "a").Int(), 15);
  EXPECT_EQ(Value("a: 0b101", "a").Int(), 5);
  EXPECT_EQ(Value("a: 010", "a").Int(), 8);  // Go's base-0 parsing: a leading 0 is octal
  EXPECT_EQ(Value("a: -9223372036854775808", "a").Int(), INT64_MIN);
  EXPECT_EQ(Value("a: ~", "a").Int(), 0);
  for (const char* bad : {"1.5", "1.0", "'5'", "abc", "true", "9223372036854775808", "[1]", "08"}) {
    std::string yaml = std::string("a: ") + bad;
    EXPECT_NE(ErrorOf([&] { Value(yaml, "a").Int(); }).find("a: line 1, column 4"),
              std::string::npos)
        << bad;
  }
}

TEST(YamlReader, NumberTakesIntegersAndFloats) {
  EXPECT_EQ(Value("a: 2", "a").Number(), 2.0);
  EXPECT_EQ(Value("a: 0.25", "a").Number(), 0.25);
  EXPECT_EQ(Value("a: 1e3", "a").Number(), 1000.0);
  EXPECT_EQ(Value("a: .5", "a").Number(), 0.5);
  EXPECT_EQ(Value("a: 0x10", "a").Number(), 16.0);
  EXPECT_TRUE(std::isinf(Value("a: .inf", "a").Number()));
  EXPECT_LT(Value("a: -.inf", "a").Number(), 0);
  for (const char* bad : {".nan", "'1'", "inf", "1e400", "abc", "{}"}) {
    std::string yaml = std::string("a: ") + bad;
    EXPECT_NE(ErrorOf([&] { Value(yaml, "a").Number(); }).find("expected a number"),
              std::string::npos)
        << bad;
  }
}

TEST(YamlReader, LoadRefusesWhatYamlV3Refuses) {
  EXPECT_NE(ErrorOf([] { YamlReader::Load("a: [\n"); }).find("invalid YAML at line"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { YamlReader::Load("a: \xFF"); }).find("line 1, column 4"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { YamlReader::Load("a: 1\nb:c"); }).find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace cliproxy::scheduler

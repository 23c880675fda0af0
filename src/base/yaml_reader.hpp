// YamlReader: typed reads of a yaml-cpp tree with the rules of Go's gopkg.in/yaml.v3, the
// library the reference plugin decodes its configuration with, and errors that name the
// key path and the line/column ("routes[2].strategy: line 7, column 15: ...").
//
// yaml.v3 rules kept here: keys are case-sensitive; a key repeated in one mapping is an
// error; any scalar decodes into a string as written (`auth_id: 123` is "123"); a null
// (`~`, `null`, empty) leaves a field at its zero value; a boolean is true/false/True/
// TRUE/..., or one of y/yes/on/n/no/off (YAML 1.1, quoted or not), but never 1/0 or the
// quoted "true"; explicit tags must fit their value (`!!int abc` is an error, `!!binary`
// is decoded); merge keys (`<<: *base`) merge as in yaml.v3; integers resolve as yaml.v3
// resolves them (0x/0o/0b, `_`, a leading 0 is octal).
// Load() also refuses what yaml.v3 refuses and yaml-cpp would read leniently: invalid
// UTF-8, non-printable characters, %YAML other than 1.1, a mapping line without `: `
// ("deny:true"), an empty key, a quoted scalar never closed.
// Known gaps: !!timestamp values are not checked; `null:` and `~:` count as the same key.
//
// Errors are thrown as ConfigError; the parser entry point (ParseConfig) catches them.
#ifndef CLIPROXY_SRC_BASE_YAML_READER_HPP_
#define CLIPROXY_SRC_BASE_YAML_READER_HPP_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cliproxy::scheduler {

// A configuration that cannot be used; the message names the path and the position.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class YamlReader {
 public:
  YamlReader(YAML::Node node, std::string path) : node_(std::move(node)), path_(std::move(path)) {}

  // Parses the first YAML document of `text`. Throws ConfigError on invalid UTF-8 or YAML.
  // With `keep_top_level`, the values of root-mapping keys it refuses are checked but not
  // built (they read as null): a huge value under a key nobody reads costs a scan of its
  // text, not a node tree.
  static YAML::Node Load(const std::string& text,
                         const std::function<bool(const std::string& key)>& keep_top_level = {});

  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  bool IsNull() const;
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }

  std::string String() const;                // any scalar as written; null -> ""
  bool Bool() const;                         // see the rules above; null -> false
  int64_t Int() const;                       // a YAML integer
  double Number() const;                     // a YAML integer or float
  std::vector<std::string> Strings() const;  // a sequence of scalars, or one scalar

  // Calls `visit` for each key of a mapping, in document order. Throws on a duplicate key,
  // a non-scalar key, or when the node is not a mapping (null is an empty mapping).
  void ForEach(
      const std::function<void(const std::string& key, const YamlReader& value)>& visit) const;
  // Calls `visit` for each item of a sequence (null is empty).
  void ForEachItem(const std::function<void(size_t index, const YamlReader& item)>& visit) const;

  // One key a mapping may hold, and how its value is read.
  struct KeyRule {
    std::string_view key;
    std::function<void(const YamlReader& value)> read;
    bool required = false;
  };
  // Reads a mapping by a table of its keys, in document order: a key no rule names fails
  // ("unknown key `x` in `<where>` (known: a, b)"; without "in" when `where` is empty), and so
  // does a required key that is missing. Null is an empty mapping.
  void ReadKeys(std::string_view where, const std::vector<KeyRule>& rules) const;

  // Throws ConfigError("<path>: line L, column C: <what>").
  [[noreturn]] void Fail(const std::string& what) const;

  // "scalar `1`", "sequence", "mapping": what a node is, for messages.
  std::string Describe() const;

 private:
  // A scalar as yaml.v3 resolves it: the short tag ("!!str", "!!bool", "!!int", "!!float",
  // "!!null", "!!merge", ...) and the text (decoded for !!binary). Throws if an explicit
  // tag does not fit the text (`!!int abc`).
  struct Scalar {
    std::string tag;
    std::string text;
  };
  Scalar Resolve() const;
  // ForEach, with `merged` the keys already set when visiting a merged mapping.
  void ForEachMerged(
      const std::function<void(const std::string& key, const YamlReader& value)>& visit,
      std::set<std::string>* merged) const;

  YamlReader Child(const YAML::Node& node, const std::string& suffix) const;

  YAML::Node node_;
  std::string path_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_YAML_READER_HPP_

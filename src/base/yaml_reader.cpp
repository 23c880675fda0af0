#include "base/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "cliproxy/base64.hpp"
#include "nodebuilder.h"  // yaml-cpp's src/: its tree builder (see SkippingBuilder)
#include "sdk/utf8.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Position(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

// The text of a scalar. yaml-cpp decodes the escapes \N and \_ of double-quoted scalars to
// the single bytes 0x85 and 0xA0 instead of the UTF-8 of U+0085 and U+00A0 (yaml.v3 writes
// UTF-8). Input is checked to be valid UTF-8, so a stray 0x85/0xA0 can only come from those
// escapes; the only other invalid sequences are escaped surrogates (ED A0..BF xx), which
// yaml.v3 writes the same way and which are kept.
std::string ScalarText(const YAML::Node& node) {
  const std::string& raw = node.Scalar();
  if (utf8::IsValid(raw)) return raw;
  std::string out;
  out.reserve(raw.size() + 8);
  for (size_t i = 0; i < raw.size();) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(raw[k]); };
    size_t n = utf8::SequenceLength(raw, i);
    if (n == 0 && byte(i) == 0xED && i + 2 < raw.size() && byte(i + 1) >= 0xA0 &&
        byte(i + 1) <= 0xBF && (byte(i + 2) & 0xC0) == 0x80) {
      n = 3;
    }
    if (n > 0) {
      out.append(raw, i, n);
      i += n;
      continue;
    }
    if (byte(i) == 0x85 || byte(i) == 0xA0) out.push_back('\xC2');
    out.push_back(raw[i]);
    ++i;
  }
  return out;
}

// yaml.v3 (like libyaml) reads only YAML 1.1 documents: any other %YAML version is an
// error there, while yaml-cpp accepts 1.x. Directives come before the document's `---`.
void CheckVersionDirective(std::string_view text) {
  size_t line_start = 0;
  size_t line_number = 1;
  while (line_start < text.size()) {
    size_t end = text.find('\n', line_start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(line_start, end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.rfind("%YAML", 0) == 0 && line.size() > 5 && (line[5] == ' ' || line[5] == '\t')) {
      std::string_view version = line.substr(6);
      while (!version.empty() && (version.front() == ' ' || version.front() == '\t')) {
        version.remove_prefix(1);
      }
      size_t stop = version.find_first_of(" \t#");
      version = version.substr(0, stop);
      if (version != "1.1") {
        throw ConfigError("invalid YAML at line " + std::to_string(line_number) +
                          ", column 1: %YAML " + std::string(version) +
                          " is not supported (only YAML 1.1 documents, as yaml.v3 reads them)");
      }
    } else if (!line.empty() && line[0] != '%' && line[0] != '#') {
      return;  // the document has begun
    }
    line_start = end + 1;
    ++line_number;
  }
}

// yaml-cpp accepts some documents that yaml.v3 (libyaml) refuses; read leniently they
// would silently change a configuration, so they are refused here, after parsing, by
// looking at the source of the nodes yaml-cpp built:
//  - a block-mapping line without `:` ("deny:true", a typo for "deny: true"), which
//    yaml-cpp reads as a key with a null value ("could not find expected ':'");
//  - an empty implicit key (": x"; "did not find expected key");
//  - a quoted scalar left open until the end of the document, which yaml-cpp closes
//    there, swallowing the lines after it ("found unexpected end of stream").
class YamlV3Conformance {
 public:
  // What the checks need to know of a node: from a built node or from a parser event.
  struct NodeFacts {
    YAML::Mark mark;
    std::string tag;
    bool null = false;
    bool scalar = false;
    std::string text;  // of a scalar key, for messages
  };

  static NodeFacts Facts(const YAML::Node& node) {
    NodeFacts f;
    f.mark = node.Mark();
    f.tag = node.Tag();
    f.null = node.IsNull();
    f.scalar = node.IsScalar();
    if (f.scalar) f.text = node.Scalar();
    return f;
  }

  explicit YamlV3Conformance(std::string_view source) : source_(source) {
    // yaml-cpp's positions do not count a leading byte order mark.
    if (source_.rfind("\xEF\xBB\xBF", 0) == 0) base_ = 3;
  }

  void Check(const YAML::Node& node) {
    if (node.IsScalar()) {
      CheckQuotedScalarClosed(node.Mark(), node.Tag());
      return;
    }
    if (!node.IsMap() && !node.IsSequence()) return;
    // An alias is the same node again: check it once (this also bounds the work).
    if (!seen_.insert(static_cast<size_t>(node.Mark().pos)).second) return;
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) Check(item);
      return;
    }
    const bool block = node.Style() != YAML::EmitterStyle::Flow;
    for (auto it = node.begin(); it != node.end(); ++it) {
      Check(it->first);
      Check(it->second);
      if (block) CheckBlockEntry(Facts(it->first), it->second.IsNull());
    }
  }

  void CheckQuotedScalarClosed(const YAML::Mark& mark, const std::string& tag) const {
    if (tag == "?" || tag.empty()) return;
    size_t pos = Offset(mark);
    if (pos == std::string_view::npos) return;
    pos = SkipProperties(pos);
    if (pos >= source_.size() || (source_[pos] != '"' && source_[pos] != '\'')) return;
    if (QuotedEnd(pos) == std::string_view::npos) {
      throw ConfigError("invalid YAML at " + Position(mark) +
                        ": found unexpected end of stream (the quoted scalar is never closed)");
    }
  }

  void CheckBlockEntry(const NodeFacts& key, bool value_null) const {
    size_t pos = Offset(key.mark);
    if (pos == std::string_view::npos) return;
    if (key.null && source_[pos] == ':' && !AfterQuestionMark(pos)) {
      throw ConfigError("invalid YAML at " + Position(key.mark) + ": did not find expected key");
    }
    const bool plain = key.tag == "?" || key.tag.empty();
    if (!value_null || !key.scalar || !(plain || key.tag == "!")) return;
    size_t line_start = source_.rfind('\n', pos == 0 ? 0 : pos - 1);
    line_start = (line_start == std::string_view::npos || pos == 0) ? 0 : line_start + 1;
    std::string_view before = source_.substr(line_start, pos - line_start);
    size_t last = before.find_last_not_of(" \t");
    if (last != std::string_view::npos && before[last] == '?') return;  // an explicit key
    size_t line_end = source_.find('\n', pos);
    if (line_end == std::string_view::npos) line_end = source_.size();
    size_t i = pos;
    if (source_[pos] == '"' || source_[pos] == '\'') {
      i = std::min(QuotedEnd(pos), line_end);
    }
    for (; i < line_end; ++i) {
      if (source_[i] == '#' && i > pos && (source_[i - 1] == ' ' || source_[i - 1] == '\t')) break;
      if (source_[i] == ':' &&
          (i + 1 == source_.size() || source_[i + 1] == ' ' || source_[i + 1] == '\t' ||
           source_[i + 1] == '\r' || source_[i + 1] == '\n')) {
        return;
      }
    }
    throw ConfigError("invalid YAML at " + Position(key.mark) +
                      ": could not find expected ':' after the key `" + key.text + "`");
  }

 private:
  // The source offset of a node's first character (its properties, if any), or npos.
  size_t Offset(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.pos < 0) return std::string_view::npos;
    size_t pos = static_cast<size_t>(mark.pos) + base_;
    return pos < source_.size() ? pos : std::string_view::npos;
  }

  // Skips anchors and tags ("&a ", "!!str ") and the blanks after them.
  size_t SkipProperties(size_t pos) const {
    while (pos < source_.size() && (source_[pos] == '&' || source_[pos] == '!')) {
      while (pos < source_.size() && source_[pos] != ' ' && source_[pos] != '\t' &&
             source_[pos] != '\n') {
        ++pos;
      }
      while (pos < source_.size() && (source_[pos] == ' ' || source_[pos] == '\t')) ++pos;
    }
    return pos;
  }

  // The offset just past the quoted scalar opening at `pos`, or npos if it never closes.
  size_t QuotedEnd(size_t pos) const {
    const char quote = source_[pos];
    for (size_t i = pos + 1; i < source_.size(); ++i) {
      if (quote == '"' && source_[i] == '\\') {
        ++i;
      } else if (source_[i] == quote) {
        if (quote == '\'' && i + 1 < source_.size() && source_[i + 1] == '\'') {
          ++i;  // '' inside single quotes
        } else {
          return i + 1;
        }
      }
    }
    return std::string_view::npos;
  }

  // True if the last non-blank character before `pos` is the `?` of an explicit key.
  bool AfterQuestionMark(size_t pos) const {
    while (pos > 0 && (source_[pos - 1] == ' ' || source_[pos - 1] == '\t' ||
                       source_[pos - 1] == '\n' || source_[pos - 1] == '\r')) {
      --pos;
    }
    return pos > 0 && source_[pos - 1] == '?';
  }

  std::string_view source_;
  size_t base_ = 0;
  std::set<size_t> seen_;
};

// Builds the document's node tree with yaml-cpp's own NodeBuilder, except the values of
// the root mapping's keys that `keep` refuses: each becomes a null node at its position,
// and its events are only checked (YamlV3Conformance), never stored, so a huge value under
// a key the plugin ignores costs a scan, not a tree. A skipped value that defines an
// anchor is the exception (an alias elsewhere may use it, and NodeBuilder numbers anchors
// in order): the build is then abandoned, the scan goes on to find every such value, and
// anchored() names them for a second build that keeps them.
class SkippingBuilder : public YAML::EventHandler {
 public:
  using Keep = std::function<bool(const std::string&)>;

  SkippingBuilder(const Keep& keep, const std::set<size_t>& keep_anyway,
                  YamlV3Conformance* conformance)
      : keep_(keep), keep_anyway_(keep_anyway), conformance_(conformance) {}

  YAML::Node Root() { return builder_.Root(); }
  bool abandoned() const { return abandoned_; }
  const std::set<size_t>& anchored() const { return anchored_; }

  void OnDocumentStart(const YAML::Mark& mark) override { builder_.OnDocumentStart(mark); }
  void OnDocumentEnd() override { builder_.OnDocumentEnd(); }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Facts f;
    f.mark = mark;
    f.null = true;
    if (Begin(f, anchor, false)) builder_.OnNull(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Facts f;
    f.mark = mark;
    if (Begin(f, YAML::NullAnchor, false)) builder_.OnAlias(mark, anchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Facts f;
    f.mark = mark;
    f.tag = tag;
    f.scalar = true;
    f.text = value;
    if (Begin(f, anchor, false)) builder_.OnScalar(mark, tag, anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Facts f;
    f.mark = mark;
    f.tag = tag;
    const bool forward = Begin(f, anchor, true);
    if (forward) builder_.OnSequenceStart(mark, tag, anchor, style);
    open_.push_back({false, style != YAML::EmitterStyle::Flow, forward, true, {}});
  }
  void OnSequenceEnd() override {
    if (End()) builder_.OnSequenceEnd();
  }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Facts f;
    f.mark = mark;
    f.tag = tag;
    if (open_.empty()) root_is_map_ = true;
    const bool forward = Begin(f, anchor, true);
    if (forward) builder_.OnMapStart(mark, tag, anchor, style);
    open_.push_back({true, style != YAML::EmitterStyle::Flow, forward, true, {}});
  }
  void OnMapEnd() override {
    if (End()) builder_.OnMapEnd();
  }

 private:
  using Facts = YamlV3Conformance::NodeFacts;
  struct Collection {
    bool map;
    bool block;
    bool forwarded;
    bool expecting_key;  // maps: the next node is a key
    Facts key;           // maps: the key of the entry being read
  };

  bool AtRoot() const { return root_is_map_ && open_.size() == 1; }

  // A node begins (`collection`: its end comes later). Returns whether its events go to
  // the builder.
  bool Begin(const Facts& facts, YAML::anchor_t anchor, bool collection) {
    if (AtRoot() && open_.back().expecting_key) key_ = facts.scalar ? facts.text : "";
    if (AtRoot() && !open_.back().expecting_key) {
      const size_t value = values_++;
      if (!keep_(key_) && keep_anyway_.count(value) == 0) {
        if (!abandoned_) builder_.OnNull(facts.mark, YAML::NullAnchor);
        skipping_ = true;
        skipped_value_ = value;
      }
    }
    if (skipping_ && anchor != YAML::NullAnchor) {
      anchored_.insert(skipped_value_);
      abandoned_ = true;
    }
    if (skipping_ && facts.scalar) conformance_->CheckQuotedScalarClosed(facts.mark, facts.tag);
    const bool forward = !skipping_ && !abandoned_;
    if (!collection) Completed(facts);
    return forward;
  }

  // A collection ends. Returns whether its end goes to the builder.
  bool End() {
    const bool forwarded = open_.back().forwarded;
    open_.pop_back();
    Completed(Facts{});
    return forwarded && !abandoned_;
  }

  // A node is complete: its mapping's next node is a key or a value; a skipped value of
  // the root mapping has ended.
  void Completed(const Facts& facts) {
    if (open_.empty()) return;
    Collection& parent = open_.back();
    if (parent.map) {
      if (parent.expecting_key) {
        parent.key = facts;
      } else if (parent.block && skipping_ && open_.size() > 1) {
        conformance_->CheckBlockEntry(parent.key, facts.null);
      }
      parent.expecting_key = !parent.expecting_key;
    }
    if (skipping_ && open_.size() == 1) skipping_ = false;
  }

  YAML::NodeBuilder builder_;
  const Keep& keep_;
  const std::set<size_t>& keep_anyway_;
  YamlV3Conformance* conformance_;
  std::vector<Collection> open_;
  bool root_is_map_ = false;
  std::string key_;    // the root mapping's current key
  size_t values_ = 0;  // values of the root mapping begun so far
  bool skipping_ = false;
  size_t skipped_value_ = 0;
  bool abandoned_ = false;
  std::set<size_t> anchored_;
};

// An std::istream over bytes that stay where they are (std::istringstream would copy them).
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view bytes) {
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }
};

// The first document of `source`, with the root mapping's values that `keep` refuses
// replaced by nulls (see SkippingBuilder), checked against yaml.v3's rules.
YAML::Node BuildDocument(const std::string& source, const SkippingBuilder::Keep& keep) {
  std::set<size_t> keep_anyway;
  for (int attempt = 0; attempt < 2; ++attempt) {
    YamlV3Conformance conformance(source);
    SkippingBuilder builder(keep, keep_anyway, &conformance);
    ViewBuffer buffer(source);
    std::istream stream(&buffer);
    YAML::Parser parser(stream);
    parser.HandleNextDocument(builder);
    if (!builder.abandoned()) {
      YAML::Node root = builder.Root();
      conformance.Check(root);
      return root;
    }
    keep_anyway = builder.anchored();
  }
  YAML::Node root = YAML::Load(source);  // not reached: the second build skips no anchor
  YamlV3Conformance(source).Check(root);
  return root;
}

constexpr std::string_view kLongTagPrefix = "tag:yaml.org,2002:";

// "tag:yaml.org,2002:str" -> "!!str"; other tags as written.
std::string ShortTag(const std::string& tag) {
  if (tag.rfind(kLongTagPrefix, 0) == 0) return "!!" + tag.substr(kLongTagPrefix.size());
  return tag;
}

bool IsOneOf(std::string_view v, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (v == w) return true;
  }
  return false;
}

// Go's strconv.ParseInt/ParseUint with base 0, as yaml.v3 calls them (underscores already
// removed): optional sign, then 0x/0o/0b, a leading-0 octal, or decimal; must fit 64 bits
// (ParseInt takes [-2^63, 2^63), ParseUint without a sign [0, 2^64)). On success stores
// the magnitude and whether it is negative.
bool ParseGoInteger(std::string_view s, uint64_t* magnitude, bool* negative) {
  char sign = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0];
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t value = 0;
  for (char c : s) {
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 99;
    if (digit >= base) return false;
    if (__builtin_mul_overflow(value, static_cast<uint64_t>(base), &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(digit), &value)) {
      return false;
    }
  }
  if (sign == '-' && value > (uint64_t{1} << 63)) return false;
  if (sign == '+' && value >= (uint64_t{1} << 63)) return false;
  *magnitude = value;
  *negative = sign == '-';
  return true;
}

bool IsGoInteger(std::string_view s) {
  uint64_t magnitude = 0;
  bool negative = false;
  return ParseGoInteger(s, &magnitude, &negative);
}

// yaml.v3's float syntax for plain scalars: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
// and a value that does not overflow a float64.
bool IsYamlFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  if (i != s.size()) return false;
  errno = 0;
  double d = std::strtod(std::string(s).c_str(), nullptr);
  return !(errno == ERANGE && std::isinf(d));
}

// What yaml.v3 resolves an untagged plain scalar to (its resolve.go): the short tag.
std::string ResolvePlain(std::string_view in) {
  if (IsOneOf(in, {"true", "True", "TRUE", "false", "False", "FALSE"})) return "!!bool";
  if (IsOneOf(in, {"", "~", "null", "Null", "NULL"})) return "!!null";
  if (IsOneOf(in, {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                   "-.inf", "-.Inf", "-.INF"})) {
    return "!!float";
  }
  if (in == "<<") return "!!merge";
  char c = in[0];
  if (c == '.') return IsYamlFloat(in) ? "!!float" : "!!str";
  if (c != '+' && c != '-' && !(c >= '0' && c <= '9')) return "!!str";
  // Timestamps (2001-12-14...) resolve to !!timestamp in yaml.v3; here they stay strings,
  // which reads the same into a string and fails the same into a boolean.
  std::string plain(in);
  std::erase(plain, '_');
  if (IsGoInteger(plain)) return "!!int";
  if (IsYamlFloat(plain)) return "!!float";
  std::string_view p = plain;
  bool signed_binary_or_octal = p.rfind("-0b", 0) == 0 || p.rfind("-0o", 0) == 0;
  if (p.rfind("0b", 0) == 0 || p.rfind("0o", 0) == 0 || signed_binary_or_octal) {
    size_t at = signed_binary_or_octal ? 3 : 2;
    std::string prefix = signed_binary_or_octal ? "-0" : "0";
    if (IsGoInteger(prefix + std::string(1, p[at - 1]) + std::string(p.substr(at)))) {
      return "!!int";
    }
  }
  return "!!str";
}

// YAML's printable set (YAML 1.2 §5.1), which yaml.v3's reader enforces: tab, line breaks,
// and everything from U+0020 except DEL, the C1 controls other than NEL, the surrogates and
// U+FFFE/U+FFFF.
bool IsPrintable(char32_t r) {
  return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
         (r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000;
}

char32_t RuneAt(std::string_view s, size_t i, size_t n) {
  auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  if (n == 1) return b(0);
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

std::string Hex(char32_t r, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, r >>= 4) out[static_cast<size_t>(i)] = kDigits[r & 0xF];
  return out;
}

// Rejects what yaml.v3 rejects before parsing: invalid UTF-8 and non-printable characters
// (yaml-cpp would accept both). The message names the line and column of the first one.
void CheckCharacters(std::string_view text) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8::SequenceLength(text, i);
    auto where = [&] {
      return "line " + std::to_string(line) + ", column " + std::to_string(column);
    };
    if (n == 0) {
      throw ConfigError("config is not valid UTF-8: byte 0x" +
                        Hex(static_cast<unsigned char>(text[i]), 2) + " at " + where());
    }
    char32_t r = RuneAt(text, i, n);
    if (!IsPrintable(r)) {
      throw ConfigError("config contains the control character U+" + Hex(r, 4) + " at " + where() +
                        " (YAML allows only printable characters)");
    }
    if (r == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
}

std::string WithoutUnderscores(std::string s) {
  std::erase(s, '_');
  return s;
}

}  // namespace

YAML::Node YamlReader::Load(const std::string& text,
                            const std::function<bool(const std::string&)>& keep_top_level) {
  CheckCharacters(text);
  CheckVersionDirective(text);
  // YAML (and yaml.v3) takes a lone CR as a line break; yaml-cpp only knows LF and CRLF.
  std::string normalized;
  const std::string* source = &text;
  if (text.find('\r') != std::string::npos) {
    normalized = text;
    for (size_t i = 0; i < normalized.size(); ++i) {
      if (normalized[i] == '\r' && (i + 1 == normalized.size() || normalized[i + 1] != '\n')) {
        normalized[i] = '\n';
      }
    }
    source = &normalized;
  }
  try {
    if (keep_top_level) return BuildDocument(*source, keep_top_level);
    YAML::Node root = YAML::Load(*source);
    YamlV3Conformance(*source).Check(root);
    return root;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops at 2000 levels with the message "bad file".
    throw ConfigError("invalid YAML at " + Position(e.mark) + ": nesting deeper than " +
                      std::to_string(e.depth()) + " levels");
  } catch (const YAML::Exception& e) {
    std::string where = Position(e.mark);
    throw ConfigError("invalid YAML" + (where.empty() ? "" : " at " + where) + ": " + e.msg);
  }
}

bool YamlReader::IsNull() const { return !node_.IsDefined() || node_.IsNull(); }

void YamlReader::Fail(const std::string& what) const {
  std::string where = Position(node_.Mark());
  std::string msg = path_.empty() ? "config" : path_;
  if (!where.empty()) msg += ": " + where;
  throw ConfigError(msg + ": " + what);
}

std::string YamlReader::Describe() const {
  if (IsNull()) return "null";
  if (node_.IsSequence()) return "a sequence";
  if (node_.IsMap()) return "a mapping";
  std::string v = ScalarText(node_);
  if (v.size() > 40) v = v.substr(0, 37) + "...";
  return (IsPlain(node_) ? "`" : "\"") + v + (IsPlain(node_) ? "`" : "\"");
}

YamlReader::Scalar YamlReader::Resolve() const {
  Scalar out;
  if (IsNull()) {
    out.tag = "!!null";
    return out;
  }
  out.text = ScalarText(node_);
  const std::string& tag = node_.Tag();
  if (tag == "?" || tag.empty()) {
    out.tag = ResolvePlain(out.text);
    return out;
  }
  if (tag == "!") {  // quoted or block scalar
    out.tag = "!!str";
    return out;
  }
  std::string wanted = ShortTag(tag);
  if (wanted == "!!binary") {
    std::string bytes;
    std::string error;
    if (!base64::Decode(out.text, &bytes, &error)) {
      Fail("!!binary value contains invalid base64 data (" + error + ")");
    }
    out.text = std::move(bytes);
    out.tag = "!!str";
    return out;
  }
  if (!IsOneOf(wanted, {"!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"})) {
    out.tag = "!!str";  // a tag yaml.v3 does not resolve: the text as written
    return out;
  }
  out.tag = wanted == "!!str" ? "!!str" : ResolvePlain(out.text);
  bool fits = wanted == out.tag || wanted == "!!str" || wanted == "!!timestamp" ||
              (wanted == "!!float" && out.tag == "!!int");
  if (!fits) Fail("cannot decode " + out.tag + " `" + out.text + "` as a " + wanted);
  out.tag = wanted;
  return out;
}

std::string YamlReader::String() const {
  if (IsNull()) return "";
  if (!node_.IsScalar()) Fail("expected a string, got " + Describe());
  Scalar v = Resolve();
  if (v.tag == "!!null") return "";
  return v.text;
}

bool YamlReader::Bool() const {
  if (IsNull()) return false;
  if (!node_.IsScalar()) Fail("expected a boolean, got " + Describe());
  Scalar v = Resolve();
  if (v.tag == "!!null") return false;
  if (v.tag == "!!bool") return IsOneOf(v.text, {"true", "True", "TRUE"});
  // yaml.v3 accepts the YAML 1.1 words when the target is a boolean and the value
  // resolved to a string (quoted or not), never a number or a quoted "true".
  if (v.tag == "!!str" || v.tag == "!!merge") {
    if (IsOneOf(v.text, {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
    if (IsOneOf(v.text, {"n", "N", "no", "No", "NO", "off", "Off", "OFF"})) return false;
  }
  Fail("expected a boolean (true/false, yes/no, on/off), got " + Describe());
}

// Integers as yaml.v3 resolves them (so `0x1F`, `0o17`, `0b101`, `1_000` and, as in Go's
// base-0 parsing, `010` = 8), but stricter than its decoder: a float, even an integral one,
// is refused rather than truncated.
int64_t YamlReader::Int() const {
  if (IsNull()) return 0;
  if (!node_.IsScalar()) Fail("expected an integer, got " + Describe());
  Scalar v = Resolve();
  if (v.tag == "!!null") return 0;
  uint64_t magnitude = 0;
  bool negative = false;
  if (v.tag != "!!int" || !ParseGoInteger(WithoutUnderscores(v.text), &magnitude, &negative)) {
    Fail("expected an integer, got " + Describe());
  }
  if (negative)
    return magnitude == (uint64_t{1} << 63) ? INT64_MIN : -static_cast<int64_t>(magnitude);
  if (magnitude > static_cast<uint64_t>(INT64_MAX)) Fail("integer out of range: " + Describe());
  return static_cast<int64_t>(magnitude);
}

// An integer or a float as yaml.v3 resolves them (`.inf`, `-.inf` included); `.nan` is
// refused, as is a quoted number.
double YamlReader::Number() const {
  if (IsNull()) return 0;
  if (!node_.IsScalar()) Fail("expected a number, got " + Describe());
  Scalar v = Resolve();
  if (v.tag == "!!null") return 0;
  const std::string text = WithoutUnderscores(v.text);
  if (v.tag == "!!int") {
    uint64_t magnitude = 0;
    bool negative = false;
    if (ParseGoInteger(text, &magnitude, &negative)) {
      double d = static_cast<double>(magnitude);
      return negative ? -d : d;
    }
  } else if (v.tag == "!!float") {
    if (IsOneOf(v.text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return HUGE_VAL;
    if (IsOneOf(v.text, {"-.inf", "-.Inf", "-.INF"})) return -HUGE_VAL;
    errno = 0;
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (!text.empty() && errno == 0 && *end == '\0' && !std::isnan(d)) return d;
  }
  Fail("expected a number, got " + Describe());
}

std::vector<std::string> YamlReader::Strings() const {
  std::vector<std::string> out;
  if (IsNull()) return out;
  if (node_.IsScalar()) {
    out.push_back(String());
    return out;
  }
  ForEachItem([&](size_t, const YamlReader& item) { out.push_back(item.String()); });
  return out;
}

YamlReader YamlReader::Child(const YAML::Node& node, const std::string& suffix) const {
  return YamlReader(node, path_.empty() ? suffix : path_ + suffix);
}

void YamlReader::ForEach(
    const std::function<void(const std::string&, const YamlReader&)>& visit) const {
  ForEachMerged(visit, nullptr);
}

void YamlReader::ReadKeys(std::string_view where, const std::vector<KeyRule>& rules) const {
  std::vector<bool> seen(rules.size(), false);
  ForEach([&](const std::string& key, const YamlReader& value) {
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].key != key) continue;
      seen[i] = true;
      rules[i].read(value);
      return;
    }
    std::string known;
    for (const KeyRule& rule : rules) {
      known += (known.empty() ? "" : ", ") + std::string(rule.key);
    }
    value.Fail("unknown key `" + key + "`" +
               (where.empty() ? "" : " in `" + std::string(where) + "`") + " (known: " + known +
               ")");
  });
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].required && !seen[i]) {
      Fail("missing required key `" + std::string(rules[i].key) + "`");
    }
  }
}

// yaml.v3's merge (`<<: *base`): the mapping's own keys first, then the keys of the merged
// mapping(s) that are not set yet; in a sequence of merged mappings the earlier one wins.
void YamlReader::ForEachMerged(
    const std::function<void(const std::string&, const YamlReader&)>& visit,
    std::set<std::string>* merged) const {
  if (IsNull()) return;
  if (!node_.IsMap()) Fail("expected a mapping, got " + Describe());
  std::map<std::string, YAML::Mark> seen;
  std::optional<YAML::Node> merge;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    YamlReader key(it->first, path_);
    if (!it->first.IsScalar() && !key.IsNull()) key.Fail("mapping keys must be scalars");
    std::string name = key.IsNull() ? "" : ScalarText(it->first);
    auto [first, inserted] = seen.emplace(name, it->first.Mark());
    if (!inserted) {
      key.Fail(
          "mapping key \"" + name + "\" already defined" +
          (first->second.is_null() ? "" : " at line " + std::to_string(first->second.line + 1)));
    }
    if (name == "<<" && (IsPlain(it->first) || it->first.Tag() == "tag:yaml.org,2002:merge")) {
      merge = it->second;
      continue;
    }
    if (merged != nullptr && !merged->insert(name).second) continue;
    visit(name, Child(it->second, path_.empty() ? name : "." + name));
  }
  if (!merge) return;
  std::set<std::string> own;
  if (merged == nullptr) {
    for (const auto& entry : seen) own.insert(entry.first);
    merged = &own;
  }
  YamlReader source(*merge, path_);
  if (merge->IsMap()) {
    source.ForEachMerged(visit, merged);
  } else if (merge->IsSequence()) {
    for (auto it = merge->begin(); it != merge->end(); ++it) {
      YamlReader item(*it, path_);
      if (!it->IsMap()) item.Fail("a merge (<<) takes a mapping or a sequence of mappings");
      item.ForEachMerged(visit, merged);
    }
  } else {
    source.Fail("a merge (<<) takes a mapping or a sequence of mappings, got " + source.Describe());
  }
}

void YamlReader::ForEachItem(const std::function<void(size_t, const YamlReader&)>& visit) const {
  if (IsNull()) return;
  if (!node_.IsSequence()) Fail("expected a sequence, got " + Describe());
  size_t i = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it, ++i) {
    visit(i, Child(*it, "[" + std::to_string(i) + "]"));
  }
}

}  // namespace cliproxy::scheduler

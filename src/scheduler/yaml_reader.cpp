#include "scheduler/yaml_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "sdk/utf8.hpp"

namespace cliproxy::scheduler {
namespace {

std::string Position(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

std::string WithoutUnderscores(std::string s) {
  std::erase(s, '_');
  return s;
}

}  // namespace

YAML::Node YamlReader::Load(const std::string& text) {
  if (!utf8::IsValid(text)) {
    size_t i = 0;
    while (i < text.size() && utf8::SequenceLength(text, i) != 0)
      i += utf8::SequenceLength(text, i);
    throw ConfigError("config is not valid UTF-8 (invalid byte at offset " + std::to_string(i) +
                      ")");
  }
  try {
    return YAML::Load(text);
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
  std::string v = node_.Scalar();
  if (v.size() > 40) v = v.substr(0, 37) + "...";
  return (IsPlain(node_) ? "`" : "\"") + v + (IsPlain(node_) ? "`" : "\"");
}

std::string YamlReader::String() const {
  if (IsNull()) return "";
  if (!node_.IsScalar()) Fail("expected a string, got " + Describe());
  return node_.Scalar();
}

bool YamlReader::Bool() const {
  if (IsNull()) return false;
  if (!node_.IsScalar()) Fail("expected a boolean, got " + Describe());
  const std::string& v = node_.Scalar();
  if (IsPlain(node_)) {
    if (v == "true" || v == "True" || v == "TRUE") return true;
    if (v == "false" || v == "False" || v == "FALSE") return false;
  }
  // yaml.v3 accepts the YAML 1.1 words when the target is a boolean, quoted or not.
  if (v == "y" || v == "Y" || v == "yes" || v == "Yes" || v == "YES" || v == "on" || v == "On" ||
      v == "ON") {
    return true;
  }
  if (v == "n" || v == "N" || v == "no" || v == "No" || v == "NO" || v == "off" || v == "Off" ||
      v == "OFF") {
    return false;
  }
  Fail("expected a boolean (true/false, yes/no, on/off), got " + Describe());
}

int64_t YamlReader::Int() const {
  if (IsNull()) return 0;
  if (!node_.IsScalar() || !IsPlain(node_)) Fail("expected an integer, got " + Describe());
  std::string v = WithoutUnderscores(node_.Scalar());
  int base = 10;
  size_t start = (!v.empty() && (v[0] == '+' || v[0] == '-')) ? 1 : 0;
  std::string digits = v.substr(start);
  if (digits.rfind("0x", 0) == 0) {
    base = 16;
    digits = digits.substr(2);
  } else if (digits.rfind("0o", 0) == 0) {
    base = 8;
    digits = digits.substr(2);
  } else if (digits.rfind("0b", 0) == 0) {
    base = 2;
    digits = digits.substr(2);
  }
  if (digits.empty()) Fail("expected an integer, got " + Describe());
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll((v.substr(0, start) + digits).c_str(), &end, base);
  if (errno != 0 || *end != '\0') Fail("expected an integer, got " + Describe());
  return n;
}

double YamlReader::Number() const {
  if (IsNull()) return 0;
  if (!node_.IsScalar() || !IsPlain(node_)) Fail("expected a number, got " + Describe());
  std::string v = WithoutUnderscores(node_.Scalar());
  if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf") return HUGE_VAL;
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || errno != 0 || *end != '\0' || std::isnan(d)) {
    Fail("expected a number, got " + Describe());
  }
  return d;
}

std::vector<std::string> YamlReader::Strings() const {
  std::vector<std::string> out;
  if (IsNull()) return out;
  if (node_.IsScalar()) {
    out.push_back(node_.Scalar());
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
  if (IsNull()) return;
  if (!node_.IsMap()) Fail("expected a mapping, got " + Describe());
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    YamlReader key(it->first, path_);
    if (!it->first.IsScalar() && !key.IsNull()) key.Fail("mapping keys must be scalars");
    std::string name = key.IsNull() ? "" : it->first.Scalar();
    if (!seen.insert(name).second) key.Fail("mapping key \"" + name + "\" is defined twice");
    visit(name, Child(it->second, path_.empty() ? name : "." + name));
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

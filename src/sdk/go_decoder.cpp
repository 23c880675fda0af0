#include "sdk/go_decoder.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "cliproxy/json.hpp"
#include "sdk/utf8.hpp"

namespace cliproxy::json::internal {
namespace {

// Full precision: numbers must round exactly as Go's strconv.ParseFloat rounds them.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
// Go's scanner refuses a document nested deeper than this, wherever the nesting is.
constexpr int kMaxDepth = 10000;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the 4 hex digits after "\u" at s[i]; -1 if they are not 4 hex digits.
int ReadEscape(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  int code = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = HexValue(s[k]);
    if (h < 0) return -1;
    code = code * 16 + h;
  }
  return code;
}

// Rewrites, in place, every \uXXXX escape of a lone UTF-16 surrogate as \ufffd (Go turns
// them into U+FFFD; RapidJSON rejects them). Same length, so offsets stay valid.
void ReplaceLoneSurrogates(std::string* text) {
  static constexpr std::string_view kReplacementEscape = "\\ufffd";
  std::string& s = *text;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      continue;
    }
    if (c == '"') {
      in_string = false;
      continue;
    }
    if (c != '\\') continue;
    int code = ReadEscape(s, i);
    if (code < 0) {
      ++i;  // skip the escaped character
      continue;
    }
    if (code >= 0xD800 && code <= 0xDBFF) {
      int low = ReadEscape(s, i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        i += 11;  // a valid pair
        continue;
      }
      s.replace(i, 6, kReplacementEscape);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      s.replace(i, 6, kReplacementEscape);
    }
    i += 5;
  }
}

// True if `s` may hold a \u escape of a UTF-16 surrogate (a cheap filter: false positives
// are fine, the rewrite below is exact).
bool MayHoldSurrogateEscape(std::string_view s) {
  for (size_t i = s.find("\\u"); i != std::string_view::npos; i = s.find("\\u", i + 2)) {
    if (i + 3 < s.size() && (s[i + 2] == 'd' || s[i + 2] == 'D') && HexValue(s[i + 3]) >= 8) {
      return true;
    }
  }
  return false;
}

// Forwards SAX events to the document, refusing nesting deeper than Go allows.
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(Document* doc) : doc_(doc) {}
  bool exceeded() const { return exceeded_; }

  bool Null() { return doc_->Null(); }
  bool Bool(bool b) { return doc_->Bool(b); }
  bool Int(int i) { return doc_->Int(i); }
  bool Uint(unsigned u) { return doc_->Uint(u); }
  bool Int64(int64_t i) { return doc_->Int64(i); }
  bool Uint64(uint64_t u) { return doc_->Uint64(u); }
  bool Double(double d) { return doc_->Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_->RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_->String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_->Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_->StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndObject(n);
  }
  bool StartArray() { return Enter() && doc_->StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndArray(n);
  }

 private:
  bool Enter() {
    if (++depth_ <= kMaxDepth) return true;
    exceeded_ = true;
    return false;
  }

  Document* doc_;
  int depth_ = 0;
  bool exceeded_ = false;
};

// Parses `text` into `doc`; returns an empty string or the syntax error.
std::string ParseInto(std::string_view text, Document* doc) {
  rapidjson::ParseResult result;
  bool exceeded = false;
  auto generate = [&](Document& target) {
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>> reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    DepthLimitedHandler handler(&target);
    result = reader.Parse<kParseFlags>(stream, handler);
    exceeded = handler.exceeded();
    return !result.IsError();
  };
  doc->SetNull();
  doc->Populate(generate);
  if (!result.IsError()) return {};
  if (result.Code() == rapidjson::kParseErrorDocumentEmpty || result.Offset() >= text.size()) {
    return "unexpected end of JSON input";
  }
  std::string where = "invalid JSON at byte " + std::to_string(result.Offset()) + ": ";
  if (exceeded) return where + "exceeded max nesting depth (" + std::to_string(kMaxDepth) + ")";
  return where + rapidjson::GetParseError_En(result.Code());
}

// Go's formatting of a float64 (encoding/json's floatEncoder): the shortest digits that
// read back as the same number, laid out in %f style ("12345678901234567000", "0.001"), or
// in %e style below 1e-6 and from 1e21 on, with a one-digit negative exponent ("1e-7").
void AppendGoFloat(double f, std::string* out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  if (ec != std::errc()) return;
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // "-d.ddde+XX", shortest
  const double a = std::fabs(f);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    size_t n = sci.size();
    if (n >= 4 && sci[n - 4] == 'e' && sci[n - 3] == '-' && sci[n - 2] == '0') {
      out->append(sci.substr(0, n - 2));
      out->push_back(sci[n - 1]);
    } else {
      out->append(sci);
    }
    return;
  }
  if (sci.front() == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_at + (sci[e_at + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                  exponent);
  if (digits == "0") {
    out->push_back('0');
    return;
  }
  // The value is 0.DIGITS * 10^(exponent + 1).
  const int point = exponent + 1;
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out->append(digits);
    out->append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out->append(digits, 0, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(point), std::string::npos);
  }
}

// Writes `v` as Go writes what it decoded into an `any`: numbers as float64, objects as
// maps (keys sorted, the last duplicate wins), strings with invalid UTF-8 replaced and
// escaped as Go escapes them. Depth is bounded by the parser's limit.
void AppendCanonical(const Value& v, std::string* out) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out->append("null");
      return;
    case rapidjson::kFalseType:
      out->append("false");
      return;
    case rapidjson::kTrueType:
      out->append("true");
      return;
    case rapidjson::kNumberType:
      AppendGoFloat(v.IsUint64()  ? static_cast<double>(v.GetUint64())
                    : v.IsInt64() ? static_cast<double>(v.GetInt64())
                                  : v.GetDouble(),
                    out);
      return;
    case rapidjson::kStringType:
      AppendQuoted(out, std::string_view(v.GetString(), v.GetStringLength()));
      return;
    case rapidjson::kArrayType: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : v.GetArray()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(item, out);
      }
      out->push_back(']');
      return;
    }
    case rapidjson::kObjectType: {
      std::vector<std::pair<std::string, const Value*>> members;
      members.reserve(v.MemberCount());
      for (const auto& m : v.GetObject()) {
        std::string key;
        AssignGoString(m.name, &key);
        members.emplace_back(std::move(key), &m.value);
      }
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out->push_back('{');
      bool first = true;
      for (size_t i = 0; i < members.size(); ++i) {
        if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
        if (!first) out->push_back(',');
        first = false;
        AppendQuoted(out, members[i].first);
        out->push_back(':');
        AppendCanonical(*members[i].second, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string ParseJson(std::string_view body, std::string* scratch, Document* doc) {
  // A NUL byte is never valid JSON (outside strings it is no token, inside it is an
  // unescaped control character); RapidJSON would read it as the end of the input.
  if (size_t nul = body.find('\0'); nul != std::string_view::npos) {
    return "invalid JSON at byte " + std::to_string(nul) + ": NUL byte";
  }
  std::string_view text = body;
  // Go turns an escaped lone surrogate into U+FFFD; RapidJSON rejects a lone high one and
  // passes a lone low one through as invalid UTF-8. Rewrite them first (same length, so
  // error offsets stay those of the body).
  if (MayHoldSurrogateEscape(body)) {
    scratch->assign(body.data(), body.size());
    ReplaceLoneSurrogates(scratch);
    text = *scratch;
  }
  return ParseInto(text, doc);
}

bool GoFoldEquals(std::string_view key, std::string_view name) {
  size_t i = 0;
  size_t j = 0;
  while (i < key.size() && j < name.size()) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    char want = name[j];
    char lower_want = (want >= 'A' && want <= 'Z') ? static_cast<char>(want + 32) : want;
    if (c < 0x80) {
      char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
      if (lower != lower_want) return false;
      ++i;
    } else if (key.substr(i, 2) == "\xC5\xBF" && lower_want == 's') {  // U+017F LONG S
      i += 2;
    } else if (key.substr(i, 3) == "\xE2\x84\xAA" && lower_want == 'k') {  // U+212A KELVIN
      i += 3;
    } else {
      return false;
    }
    ++j;
  }
  return i == key.size() && j == name.size();
}

void AssignGoString(const Value& v, std::string* out) {
  std::string_view raw(v.GetString(), v.GetStringLength());
  if (utf8::IsValid(raw)) {
    out->assign(raw.data(), raw.size());
  } else {
    *out = utf8::Sanitize(raw);
  }
}

const char* JsonKindName(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "bool";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "value";
}

std::string GoDecoder::ErrorMessage() const {
  std::string path = path_;
  if (!path.empty() && path[0] == '.') path.erase(0, 1);
  if (path.empty()) return what_;
  return path + ": " + what_;
}

std::string NumberText(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

bool GoDecoder::TypeError(const Value& v, const char* expected) {
  std::string got = JsonKindName(v);
  if (v.IsNumber()) got += " " + NumberText(v);
  what_ = std::string("cannot unmarshal ") + got + " into a value of type " + expected;
  return false;
}

bool GoDecoder::Within(const std::string& segment) {
  path_.insert(0, segment);
  return false;
}

bool GoDecoder::WithinKey(const Value& key) {
  std::string k;
  AssignGoString(key, &k);
  std::string segment(1, '[');
  segment += Quote(k);
  segment += ']';
  return Within(segment);
}

bool GoDecoder::WithinIndex(size_t index) {
  std::string segment(1, '[');
  segment += std::to_string(index);
  segment += ']';
  return Within(segment);
}

bool GoDecoder::Decode(const Value& v, std::string* out) {
  if (v.IsNull()) return true;
  if (!v.IsString()) return TypeError(v, "string");
  if (out) AssignGoString(v, out);
  return true;
}

bool GoDecoder::Decode(const Value& v, bool* out) {
  if (v.IsNull()) return true;
  if (!v.IsBool()) return TypeError(v, "bool");
  if (out) *out = v.GetBool();
  return true;
}

bool GoDecoder::Decode(const Value& v, int64_t* out) {
  if (v.IsNull()) return true;
  if (!v.IsInt64()) return TypeError(v, "int");
  if (out) *out = v.GetInt64();
  return true;
}

bool GoDecoder::Decode(const Value& v, AnyValue* out) {
  if (!out) return true;  // any JSON value is a valid `any`
  switch (v.GetType()) {
    case rapidjson::kNullType:
      *out = AnyValue{};
      return true;
    case rapidjson::kStringType:
      out->kind = AnyValue::Kind::kString;
      AssignGoString(v, &out->text);
      return true;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      out->kind = AnyValue::Kind::kBool;
      break;
    case rapidjson::kNumberType:
      out->kind = AnyValue::Kind::kNumber;
      break;
    case rapidjson::kArrayType:
      out->kind = AnyValue::Kind::kArray;
      break;
    case rapidjson::kObjectType:
      out->kind = AnyValue::Kind::kObject;
      break;
  }
  out->text.clear();
  AppendCanonical(v, &out->text);
  return true;
}

}  // namespace cliproxy::json::internal

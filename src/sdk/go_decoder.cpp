#include "sdk/go_decoder.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sdk/utf8.hpp"

namespace cliproxy::json::internal {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;
// Go's decoder refuses nesting deeper than this; so do we when we read such a value.
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

std::string SyntaxMessage(const Document& doc, std::string_view body) {
  if (doc.GetParseError() == rapidjson::kParseErrorDocumentEmpty) {
    return "unexpected end of JSON input";
  }
  std::string msg = "invalid JSON at byte " + std::to_string(doc.GetErrorOffset()) + ": ";
  msg += rapidjson::GetParseError_En(doc.GetParseError());
  if (doc.GetErrorOffset() >= body.size()) msg = "unexpected end of JSON input";
  return msg;
}

bool WriteAny(const Value& v, rapidjson::Writer<rapidjson::StringBuffer>* w, int depth) {
  if (depth > kMaxDepth) return false;
  switch (v.GetType()) {
    case rapidjson::kArrayType:
      w->StartArray();
      for (const Value& item : v.GetArray()) {
        if (!WriteAny(item, w, depth + 1)) return false;
      }
      w->EndArray();
      return true;
    case rapidjson::kObjectType:
      w->StartObject();
      for (const auto& m : v.GetObject()) {
        w->Key(m.name.GetString(), m.name.GetStringLength());
        if (!WriteAny(m.value, w, depth + 1)) return false;
      }
      w->EndObject();
      return true;
    default:
      return v.Accept(*w);
  }
}

}  // namespace

std::string ParseJson(std::string_view body, std::string* scratch, Document* doc) {
  scratch->assign(body.data(), body.size());
  doc->Parse<kParseFlags>(scratch->data(), scratch->size());
  if (doc->HasParseError() &&
      doc->GetParseError() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid) {
    ReplaceLoneSurrogates(scratch);
    doc->Parse<kParseFlags>(scratch->data(), scratch->size());
  }
  if (!doc->HasParseError()) return {};
  return SyntaxMessage(*doc, body);
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

bool GoDecoder::TypeError(const Value& v, const char* expected) {
  std::string got = JsonKindName(v);
  if (v.IsNumber()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    got += " ";
    got += buf.GetString();
  }
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
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  if (!WriteAny(v, &w, depth_)) {
    what_ = "exceeded max depth";
    return false;
  }
  // Strings inside arrays/objects keep their raw bytes; make them valid UTF-8 as Go would.
  out->text = utf8::Sanitize(std::string_view(buf.GetString(), buf.GetSize()));
  return true;
}

}  // namespace cliproxy::json::internal

#include "sdk/go_decoder.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cliproxy/json.hpp"
#include "sdk/any_canonical.hpp"

namespace cliproxy::json::internal {
namespace {

// Full precision: numbers must round exactly as Go's strconv.ParseFloat rounds them.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;

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
    ReplaceLoneSurrogates(scratch->data(), scratch->size());
    text = *scratch;
  }
  return ParseInto(text, doc);
}

void AssignGoString(const Value& v, std::string* out) {
  AssignGoString(std::string_view(v.GetString(), v.GetStringLength()), out);
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

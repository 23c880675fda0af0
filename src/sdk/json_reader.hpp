// JsonReader: the exact JSON reader, which decides what is valid JSON and what every
// syntax error says.
//
// It reads RFC 8259 JSON as Go's encoding/json scanner does and hands each value to a
// handler as an event (the SAX style), without building a tree:
//   bool Null(); bool Bool(bool); bool Number(const JsonNumber&); bool String(string_view);
//   bool Key(string_view); bool StartObject(); bool EndObject(size_t members);
//   bool StartArray(); bool EndArray(size_t elements);
// A handler returning false stops the read (ReadError::kStopped). Strings are unescaped
// in place in the caller's buffer and handed over as views into it; invalid UTF-8 is
// passed through (the handler replaces it, as Go does on assignment) and an escaped lone
// UTF-16 surrogate becomes U+FFFD, as in Go. Numbers are converted by ConvertNumber.
//
// Iterative (no recursion however deep the text; the handler limits the depth), bounded
// by the buffer it is given (it never reads outside [text, text + size)), and linear in
// the size of the text. It is the reference the fast path (simdjson_walk.hpp) is checked
// against, and the path every text takes that the fast path does not accept.
//
// Thread-safety: a reader is one call; nothing is shared.
#ifndef CLIPROXY_SRC_SDK_JSON_READER_HPP_
#define CLIPROXY_SRC_SDK_JSON_READER_HPP_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sdk/json_number.hpp"

namespace cliproxy::json::internal {

// Why a read failed, and where: `offset` is the byte the reader could not accept (the
// text's size when it ended too early).
struct ReadError {
  enum class Code : uint8_t {
    kNone,
    kDocumentEmpty,
    kRootNotSingular,
    kValueInvalid,
    kMissName,
    kMissColon,
    kMissCommaOrCurlyBracket,
    kMissCommaOrSquareBracket,
    kInvalidHexEscape,
    kInvalidEscape,
    kMissQuotationMark,
    kNumberTooBig,
    kMissFraction,
    kMissExponent,
    kStopped,
  };
  Code code = Code::kNone;
  size_t offset = 0;

  explicit operator bool() const { return code != Code::kNone; }
  // The message for the code, worded as the decoder's contract has it (RapidJSON's texts,
  // which earlier releases reported).
  const char* Message() const;
};

namespace reader_detail {

inline bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the UTF-8 encoding of `code` (a scalar value or U+FFFD) at `w`.
inline char* PutUtf8(char* w, uint32_t code) {
  if (code < 0x80) {
    *w++ = static_cast<char>(code);
  } else if (code < 0x800) {
    *w++ = static_cast<char>(0xC0 | (code >> 6));
    *w++ = static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (code >> 12));
    *w++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (code >> 18));
    *w++ = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (code & 0x3F));
  }
  return w;
}

// The first of 8 bytes at `p` that ends a plain run of string bytes: '"', '\\' or a
// control character; 8 if none does.
inline unsigned PlainRun8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t quote = x ^ (kOnes * '"');
  const uint64_t backslash = x ^ (kOnes * '\\');
  // High bit of each byte that is zero (quote/backslash) or below 0x20 (control); bytes
  // >= 0x80 are excluded by `& ~x`.
  const uint64_t hits =
      (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | (x - kOnes * 0x20)) & ~x &
      kHigh;
  return hits == 0 ? 8u : static_cast<unsigned>(__builtin_ctzll(hits) / 8);
}

}  // namespace reader_detail

template <class Handler>
class JsonReader {
 public:
  // Reads `text[0, size)`, which is modified (strings are unescaped in place).
  JsonReader(char* text, size_t size, Handler* handler)
      : begin_(text), p_(text), end_(text + size), handler_(handler) {}

  ReadError Read() {
    SkipSpace();
    if (p_ == end_) return Fail(ReadError::Code::kDocumentEmpty);
    // Each container open: '{' or '[', with the members or elements read so far.
    struct Open {
      char kind;
      size_t count;
    };
    std::vector<Open> open;
  value:
    if (p_ == end_) return Fail(ReadError::Code::kValueInvalid);
    switch (*p_) {
      case '{':
        if (!handler_->StartObject()) return Fail(ReadError::Code::kStopped);
        ++p_;
        SkipSpace();
        if (p_ != end_ && *p_ == '}') {
          ++p_;
          if (!handler_->EndObject(0)) return Fail(ReadError::Code::kStopped);
          goto after_value;
        }
        open.push_back({'{', 0});
        goto member;
      case '[':
        if (!handler_->StartArray()) return Fail(ReadError::Code::kStopped);
        ++p_;
        SkipSpace();
        if (p_ != end_ && *p_ == ']') {
          ++p_;
          if (!handler_->EndArray(0)) return Fail(ReadError::Code::kStopped);
          goto after_value;
        }
        open.push_back({'[', 0});
        goto value;
      case '"': {
        std::string_view s;
        if (ReadError e = ReadString(&s)) return e;
        if (!handler_->String(s)) return Fail(ReadError::Code::kStopped);
        goto after_value;
      }
      case 't':
        if (!Literal("true")) return error_;
        if (!handler_->Bool(true)) return Fail(ReadError::Code::kStopped);
        goto after_value;
      case 'f':
        if (!Literal("false")) return error_;
        if (!handler_->Bool(false)) return Fail(ReadError::Code::kStopped);
        goto after_value;
      case 'n':
        if (!Literal("null")) return error_;
        if (!handler_->Null()) return Fail(ReadError::Code::kStopped);
        goto after_value;
      default: {
        if (*p_ != '-' && !reader_detail::IsDigit(*p_)) {
          return Fail(ReadError::Code::kValueInvalid);
        }
        JsonNumber n;
        if (ReadError e = ReadNumber(&n)) return e;
        if (!handler_->Number(n)) return Fail(ReadError::Code::kStopped);
        goto after_value;
      }
    }
  member:  // at the key of an object member (after '{' or ',' and space)
    if (p_ == end_ || *p_ != '"') return Fail(ReadError::Code::kMissName);
    {
      std::string_view key;
      if (ReadError e = ReadString(&key)) return e;
      if (!handler_->Key(key)) return Fail(ReadError::Code::kStopped);
    }
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return Fail(ReadError::Code::kMissColon);
    ++p_;
    SkipSpace();
    goto value;
  after_value:
    if (open.empty()) {
      SkipSpace();
      if (p_ != end_) return Fail(ReadError::Code::kRootNotSingular);
      return {};
    }
    SkipSpace();
    {
      Open& top = open.back();
      ++top.count;
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        SkipSpace();
        if (top.kind == '{') goto member;
        goto value;
      }
      const char close = top.kind == '{' ? '}' : ']';
      if (p_ == end_ || *p_ != close) {
        return Fail(top.kind == '{' ? ReadError::Code::kMissCommaOrCurlyBracket
                                    : ReadError::Code::kMissCommaOrSquareBracket);
      }
      ++p_;
      const size_t count = top.count;
      open.pop_back();
      const bool go_on = close == '}' ? handler_->EndObject(count) : handler_->EndArray(count);
      if (!go_on) return Fail(ReadError::Code::kStopped);
    }
    goto after_value;
  }

 private:
  ReadError Fail(ReadError::Code code) { return FailAt(code, p_); }
  ReadError FailAt(ReadError::Code code, const char* at) {
    error_ = {code, static_cast<size_t>(at - begin_)};
    return error_;
  }

  void SkipSpace() {
    while (p_ != end_ && reader_detail::IsSpace(*p_)) ++p_;
  }

  // The literal `word` at p_ (its first byte already seen); false with error_ set.
  bool Literal(std::string_view word) {
    for (char c : word) {
      if (p_ == end_ || *p_ != c) {
        Fail(ReadError::Code::kValueInvalid);
        return false;
      }
      ++p_;
    }
    return true;
  }

  // The number at p_ ('-' or a digit), with JSON's grammar.
  ReadError ReadNumber(JsonNumber* n) {
    using reader_detail::IsDigit;
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail(ReadError::Code::kValueInvalid);
    if (*p_ == '0') {
      ++p_;  // a leading zero stands alone: "01" is 0 followed by a stray 1
    } else {
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail(ReadError::Code::kMissFraction);
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail(ReadError::Code::kMissExponent);
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    const std::string_view text(start, static_cast<size_t>(p_ - start));
    if (ConvertNumber(text, n) != NumberStatus::kOk) {
      return FailAt(ReadError::Code::kNumberTooBig, start);
    }
    return {};
  }

  // The four hex digits at `at` (after "\u"): their value, -1 at a byte that is not a
  // hex digit, -2 if the text ends first.
  int32_t Hex4(const char* at) const {
    int32_t code = 0;
    for (int k = 0; k < 4; ++k) {
      if (at + k == end_) return -2;
      const int h = reader_detail::HexDigit(at[k]);
      if (h < 0) return -1;
      code = code * 16 + h;
    }
    return code;
  }

  // The string at p_ ('"'), unescaped in place; `*out` views the result.
  ReadError ReadString(std::string_view* out) {
    ++p_;
    char* const first = p_;
    // The plain prefix (most strings have no escape) needs no copying.
    while (end_ - p_ >= 8) {
      const unsigned run = reader_detail::PlainRun8(p_);
      p_ += run;
      if (run < 8) break;
    }
    char* w = p_;
    while (true) {
      if (p_ == end_) return Fail(ReadError::Code::kMissQuotationMark);
      const char c = *p_;
      if (c == '"') {
        ++p_;
        *out = std::string_view(first, static_cast<size_t>(w - first));
        return {};
      }
      if (static_cast<unsigned char>(c) < 0x20) return Fail(ReadError::Code::kInvalidEscape);
      if (c != '\\') {
        *w++ = *p_++;
        continue;
      }
      const char* escape = p_;
      if (end_ - p_ < 2) {
        p_ = end_;
        return Fail(ReadError::Code::kMissQuotationMark);
      }
      switch (p_[1]) {
        case '"':
        case '\\':
        case '/':
          *w++ = p_[1];
          p_ += 2;
          continue;
        case 'b':
          *w++ = '\b';
          p_ += 2;
          continue;
        case 'f':
          *w++ = '\f';
          p_ += 2;
          continue;
        case 'n':
          *w++ = '\n';
          p_ += 2;
          continue;
        case 'r':
          *w++ = '\r';
          p_ += 2;
          continue;
        case 't':
          *w++ = '\t';
          p_ += 2;
          continue;
        case 'u':
          break;
        default:
          return FailAt(ReadError::Code::kInvalidEscape, escape);
      }
      int32_t code = Hex4(p_ + 2);
      if (code == -2) {
        p_ = end_;
        return Fail(ReadError::Code::kMissQuotationMark);
      }
      if (code < 0) return FailAt(ReadError::Code::kInvalidHexEscape, escape);
      p_ += 6;
      if (code >= 0xD800 && code <= 0xDFFF) {
        // Go: a high surrogate followed by an escaped low one is a pair; any other
        // surrogate is U+FFFD, and what follows is read on its own.
        const int32_t low = (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') ? Hex4(p_ + 2) : -1;
        if (code <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          p_ += 6;
        } else {
          code = 0xFFFD;
        }
      }
      w = reader_detail::PutUtf8(w, static_cast<uint32_t>(code));
    }
  }

  char* const begin_;
  char* p_;
  char* const end_;
  Handler* handler_;
  ReadError error_;
};

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_JSON_READER_HPP_

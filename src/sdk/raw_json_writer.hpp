// RawJsonWriter: writes a value's JSON text back compactly from the reader's events, for
// members kept as raw JSON (an envelope's `result`). Members stay in text order with their
// duplicates, numbers keep their literal text, and strings are written from their decoded
// bytes with `"`, `\` and control characters escaped (\b \f \n \r \t short, others as
// \u00XX); a lone surrogate escape has already become U+FFFD.
//
// Thread-safety: one writer per decode.
#ifndef CLIPROXY_SRC_SDK_RAW_JSON_WRITER_HPP_
#define CLIPROXY_SRC_SDK_RAW_JSON_WRITER_HPP_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cliproxy::json::internal {

class RawJsonWriter {
 public:
  // Starts a new value; the previous text is dropped.
  void Reset() {
    text_.clear();
    first_.clear();
  }
  void Null() { Scalar("null"); }
  void Bool(bool b) { Scalar(b ? "true" : "false"); }
  void Number(std::string_view literal) { Scalar(literal); }
  void String(std::string_view bytes) {
    Separate();
    AppendEscaped(bytes);
  }
  void Key(std::string_view bytes) {
    Separate();
    AppendEscaped(bytes);
    text_.push_back(':');
    after_key_ = true;
  }
  void StartObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void StartArray() { Open('['); }
  void EndArray() { Close(']'); }

  const std::string& text() const { return text_; }

 private:
  // A comma before any value but the first of its container, and none after a key.
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) text_.push_back(',');
    first_.back() = false;
  }
  void Scalar(std::string_view text) {
    Separate();
    text_.append(text);
  }
  void Open(char bracket) {
    Separate();
    text_.push_back(bracket);
    first_.push_back(true);
  }
  void Close(char bracket) {
    text_.push_back(bracket);
    first_.pop_back();
  }
  void AppendEscaped(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    text_.push_back('"');
    for (char c : bytes) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_.push_back('\\');
        text_.push_back(c);
      } else if (u >= 0x20) {
        text_.push_back(c);
      } else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
        text_.push_back('\\');
        text_.push_back(c == '\b'   ? 'b'
                        : c == '\f' ? 'f'
                        : c == '\n' ? 'n'
                        : c == '\r' ? 'r'
                                    : 't');
      } else {
        text_.append("\\u00");
        text_.push_back(kHex[u >> 4]);
        text_.push_back(kHex[u & 0xF]);
      }
    }
    text_.push_back('"');
  }

  std::string text_;
  std::vector<bool> first_;  // per open container: no value written in it yet
  bool after_key_ = false;
};

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_RAW_JSON_WRITER_HPP_

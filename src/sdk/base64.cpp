#include "cliproxy/base64.hpp"

#include <array>

namespace cliproxy::base64 {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> MakeReverse() {
  std::array<int, 256> r{};
  for (int& v : r) v = -1;
  for (int i = 0; i < 64; ++i) r[static_cast<unsigned char>(kAlphabet[i])] = i;
  return r;
}
constexpr std::array<int, 256> kReverse = MakeReverse();

bool Fail(size_t at, std::string* error) {
  *error = "illegal base64 data at input byte " + std::to_string(at);
  return false;
}

bool IsNewline(char c) { return c == '\n' || c == '\r'; }

}  // namespace

std::string Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = at(i) << 16;
    if (rest == 2) v |= at(i + 1) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Mirrors Go's quantum-by-quantum decoding, so that the reported byte offset is the one
// Go reports for the same input.
bool Decode(std::string_view text, std::string* out, std::string* error) {
  out->clear();
  out->reserve(text.size() / 4 * 3);
  size_t si = 0;
  while (true) {
    unsigned quantum[4] = {0, 0, 0, 0};
    size_t j = 0;
    size_t dlen = 4;
    for (; j < 4; ++j) {
      while (si < text.size() && IsNewline(text[si])) ++si;
      if (si == text.size()) {
        if (j == 0) return true;
        return Fail(si - j, error);
      }
      char c = text[si];
      ++si;
      int v = kReverse[static_cast<unsigned char>(c)];
      if (v >= 0) {
        quantum[j] = static_cast<unsigned>(v);
        continue;
      }
      if (c != '=') return Fail(si - 1, error);
      // Padding: valid only as "xx==" or "xxx=", followed by nothing but newlines.
      if (j < 2) return Fail(si - 1, error);
      if (j == 2) {
        while (si < text.size() && IsNewline(text[si])) ++si;
        if (si == text.size()) return Fail(text.size(), error);
        if (text[si] != '=') return Fail(si - 1, error);
        ++si;
      }
      while (si < text.size() && IsNewline(text[si])) ++si;
      if (si < text.size()) return Fail(si, error);
      dlen = j;
      break;
    }
    unsigned v = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
    out->push_back(static_cast<char>((v >> 16) & 0xFF));
    if (dlen > 2) out->push_back(static_cast<char>((v >> 8) & 0xFF));
    if (dlen > 3) out->push_back(static_cast<char>(v & 0xFF));
    if (dlen < 4) return true;
  }
}

}  // namespace cliproxy::base64

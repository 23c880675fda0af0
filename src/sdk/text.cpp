#include "cliproxy/text.hpp"

#include "sdk/utf8.hpp"

namespace cliproxy {
namespace {

bool IsUnicodeSpace(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

// The code point of the valid `n`-byte sequence at s[i].
char32_t Decode(std::string_view s, size_t i, size_t n) {
  auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (n) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t n = utf8::SequenceLength(s, begin);
    if (n == 0 || !IsUnicodeSpace(Decode(s, begin, n))) break;
    begin += n;
  }
  size_t end = s.size();
  while (end > begin) {
    // The last rune starts at the last non-continuation byte of at most 4; it counts only
    // if it is valid and ends exactly at `end` (Go's utf8.DecodeLastRune).
    size_t start = end - 1;
    while (start > begin && end - start < 4 && IsContinuation(s[start])) --start;
    size_t n = utf8::SequenceLength(s, start);
    if (n != end - start) n = 0;
    if (n == 0 || !IsUnicodeSpace(Decode(s, start, n))) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

bool EqualsAsciiFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

}  // namespace cliproxy

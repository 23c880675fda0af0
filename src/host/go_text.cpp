#include "host/go_text.hpp"

#include <cstddef>

namespace cliproxy::host::internal {
namespace {

bool IsSpaceRune(char32_t r) {
  if (r == ' ' || (r >= '\t' && r <= '\r')) return true;
  if (r == 0x85 || r == 0xA0 || r == 0x1680) return true;
  if (r >= 0x2000 && r <= 0x200A) return true;
  return r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

// The code point encoded by exactly the bytes `s` (2 or 3 bytes of well-formed UTF-8), or
// U+FFFD. White space never needs 4 bytes.
char32_t DecodeExact(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  if (s.size() == 2 && (byte(0) & 0xE0) == 0xC0 && continuation(1)) {
    return static_cast<char32_t>(((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F));
  }
  if (s.size() == 3 && (byte(0) & 0xF0) == 0xE0 && continuation(1) && continuation(2)) {
    return static_cast<char32_t>(((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) |
                                 (byte(2) & 0x3F));
  }
  return 0xFFFD;
}

// Length of the white-space rune at the start of `s`, or 0.
size_t LeadingSpace(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 0;
  if (n == 0 || n > s.size()) return 0;
  char32_t r = n == 1 ? c : DecodeExact(s.substr(0, n));
  return IsSpaceRune(r) ? n : 0;
}

// Length of the white-space rune at the end of `s`, or 0.
size_t TrailingSpace(std::string_view s) {
  for (size_t n = 1; n <= 3 && n <= s.size(); ++n) {
    std::string_view tail = s.substr(s.size() - n);
    unsigned char lead = static_cast<unsigned char>(tail[0]);
    if ((lead & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    char32_t r = n == 1 ? lead : DecodeExact(tail);
    return IsSpaceRune(r) ? n : 0;
  }
  return 0;
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  while (size_t n = LeadingSpace(s)) s.remove_prefix(n);
  while (size_t n = TrailingSpace(s)) s.remove_suffix(n);
  return s;
}

bool EqualsAsciiFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace cliproxy::host::internal

#include "scheduler/text.hpp"

namespace cliproxy::scheduler {
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

// Decodes the rune starting at s[i] (valid UTF-8 only; anything else is not a space).
char32_t RuneAt(std::string_view s, size_t i, size_t* len) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
    *len = 2;
    return ((c & 0x1F) << 6) | (b(i + 1) & 0x3F);
  }
  if ((c & 0xF0) == 0xE0 && i + 2 < s.size()) {
    *len = 3;
    return ((c & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
  }
  *len = 1;
  return 0xFFFD;
}

// Length of the white-space rune that ends at s[end-1], or 0.
size_t TrailingSpace(std::string_view s, size_t end) {
  for (size_t n = 1; n <= 3 && n <= end; ++n) {
    size_t len = 0;
    char32_t r = RuneAt(s, end - n, &len);
    if (len == n) return IsUnicodeSpace(r) ? n : 0;
  }
  return 0;
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t len = 0;
    if (!IsUnicodeSpace(RuneAt(s, begin, &len))) break;
    begin += len;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t n = TrailingSpace(s, end);
    if (n == 0) break;
    end -= n;
  }
  return s.substr(begin, end - begin);
}

}  // namespace cliproxy::scheduler

#include "sdk/go_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "sdk/utf8.hpp"

namespace cliproxy::json::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the leading run of ASCII bytes (8 at a time: most strings are all ASCII).
size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

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

void AssignGoString(std::string_view raw, std::string* out) {
  size_t ascii = AsciiPrefix(raw);
  if (ascii == raw.size() || utf8::IsValid(raw.substr(ascii))) {
    out->assign(raw.data(), raw.size());
  } else {
    *out = utf8::Sanitize(raw);
  }
}

// encoding/json's floatEncoder: the shortest digits that read back as the same number,
// laid out in %f style ("12345678901234567000", "0.001"), or in %e style below 1e-6 and
// from 1e21 on, with a one-digit negative exponent ("1e-7").
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

bool MayHoldSurrogateEscape(std::string_view s) {
  for (size_t i = s.find("\\u"); i != std::string_view::npos; i = s.find("\\u", i + 2)) {
    if (i + 3 < s.size() && (s[i + 2] == 'd' || s[i + 2] == 'D') && HexValue(s[i + 3]) >= 8) {
      return true;
    }
  }
  return false;
}

}  // namespace cliproxy::json::internal

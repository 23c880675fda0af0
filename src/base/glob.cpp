#include "base/glob.hpp"

namespace cliproxy::scheduler {
namespace {

char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool EqualBytes(std::string_view text, std::string_view literal, bool fold) {
  if (text.size() != literal.size()) return false;
  if (!fold) return text == literal;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Fold(text[i]) != literal[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<Glob> Glob::Compile(std::string_view pattern, CaseFold fold, std::string* error) {
  Glob g;
  g.pattern_ = std::string(pattern);
  g.fold_ = fold == CaseFold::kAscii;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        if (error) *error = "glob \"" + std::string(pattern) + "\" ends with a lone backslash";
        return std::nullopt;
      }
      c = pattern[++i];
      g.tokens_.push_back(Token::kLiteral);
      g.bytes_.push_back(g.fold_ ? Fold(c) : c);
    } else if (c == '*') {
      // Consecutive stars mean the same as one.
      if (g.tokens_.empty() || g.tokens_.back() != Token::kStar) {
        g.tokens_.push_back(Token::kStar);
        g.bytes_.push_back('\0');
      }
    } else if (c == '?') {
      g.tokens_.push_back(Token::kOne);
      g.bytes_.push_back('\0');
    } else {
      g.tokens_.push_back(Token::kLiteral);
      g.bytes_.push_back(g.fold_ ? Fold(c) : c);
    }
  }

  // Recognise the shapes that need no general matcher.
  size_t stars = 0;
  size_t ones = 0;
  for (Token t : g.tokens_) {
    stars += t == Token::kStar;
    ones += t == Token::kOne;
  }
  auto literal_of = [&](size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) s.push_back(g.bytes_[i]);
    return s;
  };
  const size_t n = g.tokens_.size();
  if (ones == 0 && stars == 0) {
    g.shape_ = Shape::kExact;
    g.literal_ = literal_of(0, n);
  } else if (ones == 0 && stars == 1 && n == 1) {
    g.shape_ = Shape::kAny;
  } else if (ones == 0 && stars == 1 && g.tokens_.back() == Token::kStar) {
    g.shape_ = Shape::kPrefix;
    g.literal_ = literal_of(0, n - 1);
  } else if (ones == 0 && stars == 1 && g.tokens_.front() == Token::kStar) {
    g.shape_ = Shape::kSuffix;
    g.literal_ = literal_of(1, n);
  } else {
    g.shape_ = Shape::kGeneral;
  }
  if (g.shape_ != Shape::kGeneral) {
    g.tokens_.clear();
    g.bytes_.clear();
  }
  return g;
}

bool Glob::Matches(std::string_view text) const {
  switch (shape_) {
    case Shape::kAny:
      return true;
    case Shape::kExact:
      return EqualBytes(text, literal_, fold_);
    case Shape::kPrefix:
      return text.size() >= literal_.size() &&
             EqualBytes(text.substr(0, literal_.size()), literal_, fold_);
    case Shape::kSuffix:
      return text.size() >= literal_.size() &&
             EqualBytes(text.substr(text.size() - literal_.size()), literal_, fold_);
    case Shape::kGeneral:
      return MatchGeneral(text);
  }
  return false;
}

// The classic greedy matcher with one backtrack point: on a mismatch, the most recent
// star absorbs one more byte. Correct because a later star can always absorb whatever an
// earlier one would have, so only the last star ever needs to be revisited.
bool Glob::MatchGeneral(std::string_view text) const {
  size_t t = 0;
  size_t p = 0;
  size_t star_p = std::string::npos;
  size_t star_t = 0;
  const size_t n = tokens_.size();
  while (t < text.size()) {
    if (p < n && tokens_[p] == Token::kStar) {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (p < n) {
      char c = fold_ ? Fold(text[t]) : text[t];
      if (tokens_[p] == Token::kOne || c == bytes_[p]) {
        ++p;
        ++t;
        continue;
      }
    }
    if (star_p == std::string::npos) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < n && tokens_[p] == Token::kStar) ++p;
  return p == n;
}

}  // namespace cliproxy::scheduler

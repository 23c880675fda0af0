// Glob: a shell-style wildcard pattern, compiled once and matched many times.
//
// Syntax: `*` matches any run of bytes (also none), `?` matches exactly one byte, `\`
// makes the next character literal (`\*` is a star). Everything else matches itself.
// There are no character classes. Matching is case-sensitive unless the glob is compiled
// with CaseFold::kAscii, which folds ASCII letters on both sides (for names such as
// providers and header names, which are case-insensitive by nature).
//
// Matching is linear for the common shapes (`exact`, `prefix*`, `*suffix`, `*`) and at
// worst O(pattern x text) for many stars, without allocation or recursion.
//
// Thread-safety: immutable after construction; Matches() is safe from any thread.
#ifndef CLIPROXY_SRC_BASE_GLOB_HPP_
#define CLIPROXY_SRC_BASE_GLOB_HPP_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cliproxy::scheduler {

enum class CaseFold { kNone, kAscii };

class Glob {
 public:
  // Compiles `pattern`. Returns std::nullopt and sets `*error` for a pattern that ends in
  // a lone backslash.
  static std::optional<Glob> Compile(std::string_view pattern, CaseFold fold, std::string* error);

  bool Matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }
  // True for `*`, which matches every text.
  bool MatchesEverything() const { return shape_ == Shape::kAny; }

 private:
  enum class Shape { kExact, kPrefix, kSuffix, kAny, kGeneral };
  // One token of a general pattern: a literal byte, `?`, or `*`.
  enum class Token : unsigned char { kLiteral, kOne, kStar };

  Glob() = default;
  bool MatchGeneral(std::string_view text) const;

  std::string pattern_;  // as written, for messages
  Shape shape_ = Shape::kExact;
  bool fold_ = false;
  std::string literal_;        // kExact, kPrefix, kSuffix: the fixed part (folded if fold_)
  std::string bytes_;          // kGeneral: the byte of each kLiteral token (folded if fold_)
  std::vector<Token> tokens_;  // kGeneral
};

// Any-of a list of globs. An empty list matches nothing; callers decide what "not
// configured" means.
class GlobList {
 public:
  GlobList() = default;
  explicit GlobList(std::vector<Glob> globs) : globs_(std::move(globs)) {}

  bool Matches(std::string_view text) const {
    for (const Glob& g : globs_) {
      if (g.Matches(text)) return true;
    }
    return false;
  }
  bool empty() const { return globs_.empty(); }
  const std::vector<Glob>& globs() const { return globs_; }

 private:
  std::vector<Glob> globs_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_GLOB_HPP_

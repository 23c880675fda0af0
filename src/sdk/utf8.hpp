// UTF-8 validation with Go's rules: every byte that does not start a valid, shortest-form,
// non-surrogate sequence counts as one invalid byte (Go's utf8.DecodeRune returns
// (RuneError, 1) for it). Used so that decoded and encoded strings match Go's exactly.
#ifndef CLIPROXY_SRC_SDK_UTF8_HPP_
#define CLIPROXY_SRC_SDK_UTF8_HPP_

#include <cstddef>
#include <string>
#include <string_view>

namespace cliproxy::utf8 {

// Length of the valid sequence starting at s[i], or 0 if s[i] is an invalid byte.
size_t SequenceLength(std::string_view s, size_t i);

bool IsValid(std::string_view s);

// `s` with each invalid byte replaced by U+FFFD.
std::string Sanitize(std::string_view s);

}  // namespace cliproxy::utf8

#endif  // CLIPROXY_SRC_SDK_UTF8_HPP_

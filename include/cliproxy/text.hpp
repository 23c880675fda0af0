// cliproxy/text.hpp -- text helpers with the semantics of Go's standard library, where
// CLIProxyAPI's host or its reference plugin uses them (trimming metadata, auth IDs,
// delegates and error messages; matching header names and status words).
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_TEXT_HPP_
#define CLIPROXY_TEXT_HPP_

#include <string_view>

namespace cliproxy {

// Go's strings.TrimSpace: strips leading and trailing Unicode white space (ASCII
// \t \n \v \f \r and space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000). A byte that does not start a valid, shortest-form UTF-8 sequence is
// never white space, so trimming stops there.
std::string_view TrimSpace(std::string_view s);

// ASCII case-insensitive equality (Go's strings.EqualFold restricted to ASCII letters, as
// for HTTP header names).
bool EqualsAsciiFold(std::string_view a, std::string_view b);

}  // namespace cliproxy

#endif  // CLIPROXY_TEXT_HPP_

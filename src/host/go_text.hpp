// Text helpers with the semantics of Go's standard library, where CLIProxyAPI's host uses it.
#ifndef CLIPROXY_SRC_HOST_GO_TEXT_HPP_
#define CLIPROXY_SRC_HOST_GO_TEXT_HPP_

#include <string_view>

namespace cliproxy::host::internal {

// Go's strings.TrimSpace: strips leading and trailing Unicode white space (ASCII
// \t \n \v \f \r and space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000). Invalid UTF-8 is never white space.
std::string_view TrimSpace(std::string_view s);

// ASCII case-insensitive equality.
bool EqualsAsciiFold(std::string_view a, std::string_view b);

}  // namespace cliproxy::host::internal

#endif  // CLIPROXY_SRC_HOST_GO_TEXT_HPP_

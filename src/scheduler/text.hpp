// Small text helpers with the semantics of Go's standard library, where the reference
// plugin uses it.
#ifndef CLIPROXY_SRC_SCHEDULER_TEXT_HPP_
#define CLIPROXY_SRC_SCHEDULER_TEXT_HPP_

#include <string>
#include <string_view>

namespace cliproxy::scheduler {

// Go's strings.TrimSpace: strips leading and trailing Unicode white space (ASCII space,
// \t \n \v \f \r, U+0085, U+00A0 and the Unicode space separators).
std::string_view TrimSpace(std::string_view s);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_TEXT_HPP_

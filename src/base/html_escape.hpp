// HtmlEscape: text made safe to put into HTML, as element text or a quoted attribute value.
//
// Thread-safety: a pure function.
#ifndef CLIPROXY_SRC_BASE_HTML_ESCAPE_HPP_
#define CLIPROXY_SRC_BASE_HTML_ESCAPE_HPP_

#include <string>
#include <string_view>

namespace cliproxy::scheduler {

// `s` with & < > " replaced by their character references.
std::string HtmlEscape(std::string_view s);

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_BASE_HTML_ESCAPE_HPP_

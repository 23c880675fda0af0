// The host's answers to plugin callbacks (host.log; everything else refused), as
// CLIProxyAPI answers them. See cliproxy/host/plugin_host.hpp, "Callbacks".
#ifndef CLIPROXY_SRC_HOST_HOST_CALLBACKS_HPP_
#define CLIPROXY_SRC_HOST_HOST_CALLBACKS_HPP_

#include <string>
#include <string_view>

#include "cliproxy/host/plugin_library.hpp"
#include "host/log_book.hpp"

namespace cliproxy::host::internal {

CallReply AnswerCallback(std::string_view method, std::string_view body,
                         const std::string& plugin_id, LogBook* log);

}  // namespace cliproxy::host::internal

#endif  // CLIPROXY_SRC_HOST_HOST_CALLBACKS_HPP_

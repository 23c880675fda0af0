// cliproxy/host/plugin_reply.hpp -- how a host reads a plugin's reply to one call.
//
// CLIProxyAPI's rules (WIRE.md §1-2), applied to the return code and bytes of a call:
//   - rc != 0: an envelope with `ok:false` and an `error` object is an error reply;
//     anything else is a protocol failure ("plugin call <method> returned <rc>: <text>").
//   - rc == 0: the bytes must be a JSON envelope object, else a protocol failure
//     ("decode plugin envelope <method>: <why>"); an empty reply is one too.
//   - `ok:false`: an error reply. The message is trimmed (Go's TrimSpace); an empty one, or
//     a missing `error` object, reads as "plugin call failed". `code`, `retryable` and
//     `http_status` are kept as sent.
//   - `ok:true`: the raw JSON of `result`; empty when `result` is missing.
// A protocol failure is a plugin failing outside the envelope protocol: PluginHost fuses a
// plugin whose scheduler.pick or usage.handle call fails that way.
//
// Thread-safety: a pure function.
#ifndef CLIPROXY_HOST_PLUGIN_REPLY_HPP_
#define CLIPROXY_HOST_PLUGIN_REPLY_HPP_

#include <string>
#include <string_view>

#include "cliproxy/host/plugin_library.hpp"
#include "cliproxy/types.hpp"

namespace cliproxy::host {

struct PluginReply {
  enum class Kind { kResult, kError, kProtocolFailure };
  Kind kind = Kind::kProtocolFailure;
  std::string result;   // kResult: the raw JSON of `result`, empty when missing or null
  PluginError error;    // kError
  std::string failure;  // kProtocolFailure: what was wrong, naming the method
};

PluginReply ReadReply(std::string_view method, const CallReply& reply);

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_PLUGIN_REPLY_HPP_

// ReadReply: CLIProxyAPI's reading of a call's return code and bytes.
#include <string>

#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/json.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::host {
namespace {

PluginReply ProtocolFailure(std::string failure) {
  PluginReply reply;
  reply.kind = PluginReply::Kind::kProtocolFailure;
  reply.failure = std::move(failure);
  return reply;
}

PluginReply ErrorReply(PluginError error) {
  std::string_view message = TrimSpace(error.message);
  error.message = message.empty() ? "plugin call failed" : std::string(message);
  PluginReply reply;
  reply.kind = PluginReply::Kind::kError;
  reply.error = std::move(error);
  return reply;
}

}  // namespace

PluginReply ReadReply(std::string_view method, const CallReply& call) {
  json::Envelope envelope;
  json::DecodeStatus decoded = json::DecodeEnvelope(call.body, &envelope);
  if (call.rc != 0) {
    if (decoded && !envelope.ok && envelope.has_error) return ErrorReply(envelope.error);
    return ProtocolFailure("plugin call " + std::string(method) + " returned " +
                           std::to_string(call.rc) + ": " + call.body);
  }
  if (!decoded) {
    std::string why = call.body.empty() ? "empty reply" : decoded.message;
    return ProtocolFailure("decode plugin envelope " + std::string(method) + ": " + why);
  }
  if (!envelope.ok) return ErrorReply(envelope.has_error ? envelope.error : PluginError{});
  PluginReply reply;
  reply.kind = PluginReply::Kind::kResult;
  if (envelope.result != "null") reply.result = std::move(envelope.result);
  return reply;
}

}  // namespace cliproxy::host

#include "pick/pick_explain.hpp"

#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/json.hpp"

namespace cpa_sched {

std::optional<Explanation> ReadExplanation(const cliproxy::host::CallReply& reply) {
  cliproxy::host::PluginReply read = cliproxy::host::ReadReply(kExplainMethod, reply);
  Explanation out;
  switch (read.kind) {
    case cliproxy::host::PluginReply::Kind::kError:
      if (read.error.code == "unknown_method") return std::nullopt;
      out.failure = read.error.code + ": " + read.error.message;
      return out;
    case cliproxy::host::PluginReply::Kind::kProtocolFailure:
      out.failure = read.failure;
      return out;
    case cliproxy::host::PluginReply::Kind::kResult:
      break;
  }
  if (auto s = cliproxy::json::DecodeExplanation(read.result, &out); !s) {
    out.failure = s.message;
  } else if (!out.has_decision) {
    out.failure = "the result has no Decision";
  }
  return out;
}

}  // namespace cpa_sched

#include "pick/pick_report.hpp"

#include <string>

#include "capability_list.hpp"
#include "cliproxy/host/plugin_reply.hpp"
#include "cliproxy/json.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::BuiltinStrategyName;
using cliproxy::host::PickDecision;
using cliproxy::host::PickOutcome;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string Normalization(const PickOutcome& o, cliproxy::host::BuiltinStrategy routing) {
  std::string routing_name(BuiltinStrategyName(routing));
  switch (o.decision) {
    case PickDecision::kPluginAuth:
      return "AuthID " + Quoted(o.auth_id) + " names a candidate";
    case PickDecision::kPluginDelegate:
      return "DelegateBuiltin " + Quoted(std::string(BuiltinStrategyName(*o.builtin))) +
             ": the host's built-in picks";
    case PickDecision::kUnhandled:
      return "Handled:false: the host's configured built-in (" + routing_name + ") picks";
    case PickDecision::kInvalidReply:
      return "invalid reply (" + o.reason + "), treated as unhandled: " + routing_name + " picks";
    case PickDecision::kFused:
      return "call failed outside the envelope protocol (" + o.reason + "): plugin fused, " +
             routing_name + " picks";
    case PickDecision::kNoScheduler:
      return "no active scheduler plugin: " + routing_name + " picks";
    case PickDecision::kError:
      return "the plugin's error fails the pick (no fallback)";
  }
  return "";
}

// Whether the explained decision is the one the pick got. They differ only when state
// moved between the two calls (another caller picked, a usage record arrived).
bool SameDecision(const Explanation& e, const PickOutcome& o) {
  cliproxy::host::PluginReply read = cliproxy::host::ReadReply("scheduler.pick", o.reply);
  if (read.kind == cliproxy::host::PluginReply::Kind::kError) return e.has_error;
  if (read.kind != cliproxy::host::PluginReply::Kind::kResult || e.has_error) return false;
  cliproxy::PickResult result;
  if (!read.result.empty() && !cliproxy::json::DecodePickResult(read.result, &result)) return false;
  return result == e.decision;
}

void PrintExplanation(std::ostream& out, const Explanation& e, const PickOutcome& o) {
  if (!e.failure.empty()) {
    out << "rule: unknown (scheduler.explain: " << e.failure << ")\n";
    return;
  }
  if (!e.config_error.empty()) out << "config: rejected, not in force: " << e.config_error << "\n";
  out << "rule: " << (e.rule.empty() ? "none (no rule or route decided)" : e.rule) << "\n";
  if (!SameDecision(e, o)) {
    out << "note: scheduler.explain decided "
        << (e.has_error ? "an error" : cliproxy::json::EncodePickResult(e.decision))
        << " just before; this pick met other strategy state\n";
  }
}

}  // namespace

void PrintPlugin(std::ostream& out, const cliproxy::host::PluginInfo& info) {
  out << "plugin: " << info.id << " (" << info.path << "), priority " << info.settings.priority
      << ", " << cliproxy::host::PluginStateName(info.state);
  if (!info.reason.empty()) out << ": " << info.reason;
  out << "\n";
  if (info.state != cliproxy::host::PluginState::kActive) return;
  const cliproxy::Registration& r = info.registration;
  out << "registration: " << r.metadata.name << " " << r.metadata.version << " by "
      << r.metadata.author << ", schema " << info.schema_version << ", capabilities "
      << CapabilityList(r.capabilities) << "\n";
}

void PrintPickOutcome(std::ostream& out, const PickOutcome& o,
                      cliproxy::host::BuiltinStrategy routing, const Explanation* explanation) {
  if (!o.plugin_id.empty()) out << "reply: rc=" << o.reply.rc << " " << o.reply.body << "\n";
  if (!o.plugin_id.empty() && explanation != nullptr) PrintExplanation(out, *explanation, o);
  out << "decision: " << cliproxy::host::PickDecisionName(o.decision) << "\n";
  out << "normalization: " << Normalization(o, routing) << "\n";
  if (o.builtin) {
    out << "built-in: " << BuiltinStrategyName(*o.builtin) << " -> "
        << (o.auth_id.empty() ? "(none)" : o.auth_id) << "\n";
  }
  if (o.ok()) out << "auth: " << o.auth_id << "\n";
  if (o.error) {
    out << "error: " << o.error->code << ": " << o.error->message;
    if (o.error->http_status > 0) out << " (http " << o.error->http_status << ")";
    out << "\n";
  }
}

void PrintLogs(std::ostream& out, const std::vector<cliproxy::host::LogEntry>& logs) {
  for (const cliproxy::host::LogEntry& e : logs) {
    out << "log: " << cliproxy::host::LogLevelName(e.level) << " "
        << (e.from_plugin ? "[plugin] " : "") << e.message;
    for (const auto& [key, value] : e.fields) out << " " << key << "=" << value;
    out << "\n";
  }
}

}  // namespace cpa_sched

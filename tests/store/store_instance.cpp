// store_instance: one proxy instance for the state-store tests. Loads the built
// scheduler.so (dlopen, as CLIProxyAPI does), then serves commands read line by line on
// stdin, answering one line each on stdout:
//   config <base64 yaml>          plugin.register            -> "ok" | "error <reply>"
//   pick <session|-> <id,id,...>  scheduler.pick (X-Session-Id) -> the auth ID | "<none>"
//   explain <session|-> <ids>     scheduler.explain          -> the auth ID | "<none>"
//   usage <id> <tokens> <secret>  usage.handle, APIKey and Source set to <secret>  -> "ok"
//   record <id> <status> <latency ms> <headers|->  usage.handle of a response with that
//                                 HTTP status (0: success), latency and response headers
//                                 (`Name=value|Name=value`; no spaces); APIKey and Source
//                                 "sk-PLANTED-record-key"  -> "ok"
//   status                        scheduler.state.sync      -> its reply (the store's
//                                 description, e.g. malformed entries counted)
//   sync                          scheduler.state.sync       -> "synced" | "not-synced"
//   quit                          shutdown and exit          -> "bye"
#include <iostream>
#include <sstream>
#include <string>

#include "cliproxy/json.hpp"
#include "cliproxy/types.hpp"
#include "support/loaded_plugin.hpp"

namespace {

std::string PickBody(const std::string& session, const std::string& ids) {
  std::string body = "{\"Candidates\":[";
  std::stringstream in(ids);
  std::string id;
  bool first = true;
  while (std::getline(in, id, ',')) {
    body += std::string(first ? "" : ",") + "{\"ID\":\"" + id + "\",\"Status\":\"active\"}";
    first = false;
  }
  body += "]";
  if (session != "-") body += ",\"Options\":{\"Headers\":{\"X-Session-Id\":[\"" + session + "\"]}}";
  return body + "}";
}

std::string Chosen(const std::string& reply, bool explain) {
  cliproxy::json::Envelope envelope;
  if (!cliproxy::json::DecodeEnvelope(reply, &envelope) || !envelope.ok) return "<error>";
  std::string result = envelope.result;
  if (explain) {
    const std::string key = "\"AuthID\":\"";
    size_t at = result.find(key);
    if (at == std::string::npos) return "<none>";
    at += key.size();
    const std::string id = result.substr(at, result.find('"', at) - at);
    return id.empty() ? "<none>" : id;
  }
  cliproxy::PickResult pick;
  if (!cliproxy::json::DecodePickResult(result, &pick)) return "<error>";
  return pick.auth_id.empty() ? "<none>" : pick.auth_id;
}

}  // namespace

int main() {
  cliproxy::test_support::LoadedPlugin plugin(CLIPROXY_SCHEDULER_SO, nullptr);
  if (plugin.init_result() != 0) {
    std::cout << "init-failed" << std::endl;
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    std::stringstream in(line);
    std::string command;
    in >> command;
    if (command == "config") {
      std::string yaml64;
      in >> yaml64;
      const std::string body = "{\"config_yaml\":\"" + yaml64 + "\",\"schema_version\":3}";
      cliproxy::test_support::PluginReply reply = plugin.Call("plugin.register", body);
      cliproxy::json::Envelope envelope;
      const bool ok = cliproxy::json::DecodeEnvelope(reply.body, &envelope) && envelope.ok;
      std::cout << (ok ? "ok" : "error " + reply.body) << std::endl;
    } else if (command == "pick" || command == "explain") {
      std::string session, ids;
      in >> session >> ids;
      const bool explain = command == "explain";
      cliproxy::test_support::PluginReply reply =
          plugin.Call(explain ? "scheduler.explain" : "scheduler.pick", PickBody(session, ids));
      std::cout << Chosen(reply.body, explain) << std::endl;
    } else if (command == "usage") {
      cliproxy::UsageRecord record;
      int64_t tokens = 0;
      std::string secret;
      in >> record.auth_id >> tokens >> secret;
      record.detail.total_tokens = tokens;
      record.api_key = secret;
      record.source = secret;
      record.latency_ns = 1'000'000;
      plugin.Call("usage.handle", cliproxy::json::EncodeUsageRecord(record));
      std::cout << "ok" << std::endl;
    } else if (command == "record") {
      cliproxy::UsageRecord record;
      int status = 0;
      int64_t latency_ms = 0;
      std::string headers;
      in >> record.auth_id >> status >> latency_ms >> headers;
      record.latency_ns = latency_ms * 1'000'000;
      record.failed = status >= 400;
      record.failure.status_code = status;
      record.detail.total_tokens = 10;
      record.api_key = "sk-PLANTED-record-key";
      record.source = "sk-PLANTED-record-key";
      std::stringstream list(headers == "-" ? "" : headers);
      std::string header;
      while (std::getline(list, header, '|')) {
        const size_t eq = header.find('=');
        if (eq == std::string::npos) continue;
        record.response_headers.Set(header.substr(0, eq), {header.substr(eq + 1)});
      }
      plugin.Call("usage.handle", cliproxy::json::EncodeUsageRecord(record));
      std::cout << "ok" << std::endl;
    } else if (command == "status") {
      std::cout << plugin.Call("scheduler.state.sync", "{}").body << std::endl;
    } else if (command == "sync") {
      cliproxy::test_support::PluginReply reply = plugin.Call("scheduler.state.sync", "{}");
      std::cout << (reply.body.find("\"Synced\":true") != std::string::npos
                        ? "synced"
                        : "not-synced " + reply.body)
                << std::endl;
    } else if (command == "quit") {
      break;
    } else {
      std::cout << "unknown" << std::endl;
    }
  }
  std::cout << "bye" << std::endl;
  return 0;
}

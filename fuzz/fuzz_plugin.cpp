#include "fuzz_plugin.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cliproxy/abi.h"
#include "cliproxy/base64.hpp"
#include "cliproxy/json.hpp"

extern "C" int cliproxy_plugin_init(const cliproxy_host_api* host, cliproxy_plugin_api* plugin);

namespace cliproxy::fuzz {
namespace {

// The host's callbacks: host.log is accepted and dropped; anything else fails, as an
// unknown callback does in CLIProxyAPI.
int HostCall(void* /*ctx*/, const char* method, const uint8_t* /*request*/, size_t /*len*/,
             cliproxy_buffer* response) {
  static const char kOk[] = "{\"ok\":true,\"result\":{}}";
  response->ptr = nullptr;
  response->len = 0;
  if (std::string_view(method) != "host.log") return 1;
  void* copy = std::malloc(sizeof(kOk) - 1);
  if (copy == nullptr) return 1;
  std::memcpy(copy, kOk, sizeof(kOk) - 1);
  response->ptr = copy;
  response->len = sizeof(kOk) - 1;
  return 0;
}
void HostFree(void* ptr, size_t /*len*/) { std::free(ptr); }

const cliproxy_plugin_api& Api() {
  static const cliproxy_plugin_api api = [] {
    static const cliproxy_host_api host{CLIPROXY_ABI_VERSION, nullptr, &HostCall, &HostFree};
    cliproxy_plugin_api out{};
    if (cliproxy_plugin_init(&host, &out) != 0 || out.call == nullptr) {
      std::fprintf(stderr, "fuzz: cliproxy_plugin_init failed\n");
      std::abort();
    }
    return out;
  }();
  return api;
}

[[noreturn]] void Finding(const char* what, const Reply& reply) {
  std::fprintf(stderr, "fuzz: %s (rc %d): %.*s\n", what, reply.rc,
               static_cast<int>(reply.body.size() > 2000 ? 2000 : reply.body.size()),
               reply.body.data());
  std::abort();
}

}  // namespace

Reply Call(const char* method, std::string_view request) {
  const cliproxy_plugin_api& api = Api();
  cliproxy_buffer response{nullptr, 0};
  Reply reply;
  reply.rc =
      api.call(method, reinterpret_cast<const uint8_t*>(request.data()), request.size(), &response);
  if (response.ptr != nullptr) {
    reply.body.assign(static_cast<const char*>(response.ptr), response.len);
  }
  api.free_buffer(response.ptr, response.len);
  json::Envelope envelope;
  if (!json::DecodeEnvelope(reply.body, &envelope).ok()) Finding("reply is not JSON", reply);
  if (envelope.ok == envelope.has_error) Finding("reply is neither ok nor an error", reply);
  if (!envelope.ok && envelope.error.code.empty()) Finding("error without a code", reply);
  if (envelope.ok && reply.rc != 0) Finding("ok reply with a non-zero return code", reply);
  return reply;
}

std::string LifecycleBody(std::string_view yaml) {
  return "{\"config_yaml\":\"" + base64::Encode(yaml) + "\",\"schema_version\":3}";
}

void Configure(std::string_view yaml) {
  Reply reply = Call("plugin.register", LifecycleBody(yaml));
  if (reply.rc != 0 || reply.body.find("\"ok\":true") == std::string::npos) {
    Finding("the harness's configuration was refused", reply);
  }
}

const char* const kEveryStrategy = R"(routes:
  - name: order
    when: {metadata: {r: order}}
    strategy: order
    order: ["b*", "a*"]
  - name: fill-first
    when: {metadata: {r: fill}}
    strategy: fill-first
  - name: weighted
    when: {metadata: {r: weighted}}
    strategy: weighted
    weights: {"a*": 3, "b*": 1}
  - name: sticky
    when: {metadata: {r: sticky}}
    strategy: sticky
    session: {headers: [X-Session-Id], ttl: 1h, return_home: true}
  - name: rendezvous
    when: {metadata: {r: rendezvous}}
    strategy: sticky
    session: {headers: [X-Session-Id], ttl: 0}
  - name: least-used
    when: {metadata: {r: least}}
    strategy: least-used
    usage: {measure: tokens, window: 1h, limit: 1000}
    when_empty: deny
    error: {status: 429, code: spent, message: spent}
  - name: fastest
    when: {metadata: {r: fast}}
    strategy: fastest
    latency: {measure: ttft, half_life: 1m}
  - name: tenant
    when: {metadata: {caller_scope: "3f9a*"}, stream: true}
    pool: {ids: ["acme-*"]}
    strategy: round-robin
    when_empty: deny
    error: {status: 429, code: none, message: none}
  - name: deny
    when: {models: ["deny-*"]}
    strategy: deny
  - name: delegate
    when: {providers: [gemini]}
    strategy: delegate
  - name: pass
    when: {headers: {X-Pass: "*"}}
    strategy: pass
  - name: all
    strategy: round-robin
)";

}  // namespace cliproxy::fuzz

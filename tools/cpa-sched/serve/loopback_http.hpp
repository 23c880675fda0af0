// A small HTTP/1.1 server for loopback addresses only, enough for `cpa-sched serve`: one
// request per connection (answered with `Connection: close`), a thread per connection up to
// a cap (beyond it a connection is answered 503 and closed), Content-Length bodies (no
// chunked requests), headers up to 64 KiB (else 431) and bodies up to 1 MiB (else 413), and
// an overall deadline per connection (reading the request and writing the answer).
//
// Only requests a loopback page may make reach the handler: the Host header must name a
// loopback host (127.0.0.1, localhost or [::1], any port; else 421, against DNS
// rebinding), and an Origin header, when sent, must be that same origin (else 403, against
// cross-site requests). The handler's answer is written with its status when it is 100-599
// (else 502) and without headers whose name is not a token or whose value holds CR, LF or
// NUL (no response splitting). Why not a library: Debian's cpp-httplib (0.11) is a compiled library
// built with OpenSSL, zlib and brotli, whose headers must be compiled with the same switches (and
// OpenSSL's headers installed) to match its ABI; a loopback tool needs none of that.
//
// Thread-safety: Run() is called once; Stop() may be called from any thread (and is
// async-signal-unsafe: call it from a normal thread).
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cliproxy/host/status.hpp"

namespace cpa_sched {

struct HttpRequest {
  std::string method;
  std::string path;                                          // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpLimits {
  int max_connections = 64;  // served at once; more are answered 503
  int deadline_ms = 30000;   // per connection, from accept to the answer written
  size_t max_head = 64 * 1024;
  size_t max_body = 1024 * 1024;
};

class LoopbackHttpServer {
 public:
  LoopbackHttpServer() = default;
  explicit LoopbackHttpServer(HttpLimits limits) : limits_(limits) {}
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  // Binds `listen` ("127.0.0.1:PORT", "[::1]:PORT", "localhost:PORT"; PORT 0 picks a free
  // one). Refuses any address that is not loopback.
  cliproxy::host::Status Listen(const std::string& listen);
  // The bound address as "host:port" (valid after Listen).
  const std::string& address() const { return address_; }

  // Serves until Stop(); returns once every connection has been answered.
  void Run(const HttpHandler& handler);
  void Stop();

 private:
  void Serve(int fd, const HttpHandler& handler);

  HttpLimits limits_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // Stop() writes to wake_[1]
  std::string address_;
  std::mutex mu_;
  std::condition_variable idle_;
  int connections_ = 0;  // guarded by mu_
};

// Why a request may not reach the handler (empty when it may): "" or a status line's
// reason, with the status in *status (421 for a Host that is not loopback, 403 for an
// Origin that is not the Host's own).
std::string LoopbackRequestProblem(const HttpRequest& req, int* status);
// Whether a response header may be written as is (a token name; no CR, LF or NUL).
bool IsWritableHeader(std::string_view name, std::string_view value);

// Splits "host:port" / "[v6]:port"; false when malformed.
bool SplitHostPort(const std::string& listen, std::string* host, std::string* port);
// Percent-decoding as in URLs; `plus_is_space` for query strings.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_

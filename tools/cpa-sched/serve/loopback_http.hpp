// A small HTTP/1.1 server for loopback addresses only, enough for `cpa-sched serve`: one
// request per connection (answered with `Connection: close`), a thread per connection,
// Content-Length bodies (no chunked requests), headers up to 64 KiB and bodies up to
// 1 MiB. Why not a library: Debian's cpp-httplib (0.11) is a compiled library built with
// OpenSSL, zlib and brotli, whose headers must be compiled with the same switches (and
// OpenSSL's headers installed) to match its ABI; a loopback tool needs none of that.
//
// Thread-safety: Run() is called once; Stop() may be called from any thread (and is
// async-signal-unsafe: call it from a normal thread).
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
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

class LoopbackHttpServer {
 public:
  LoopbackHttpServer() = default;
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

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // Stop() writes to wake_[1]
  std::string address_;
  std::mutex mu_;
  std::condition_variable idle_;
  int connections_ = 0;  // guarded by mu_
};

// Splits "host:port" / "[v6]:port"; false when malformed.
bool SplitHostPort(const std::string& listen, std::string* host, std::string* port);
// Percent-decoding as in URLs; `plus_is_space` for query strings.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SERVE_LOOPBACK_HTTP_HPP_

#include "serve/loopback_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <system_error>
#include <thread>

namespace cpa_sched {

using cliproxy::host::Status;

namespace {

using Clock = std::chrono::steady_clock;

bool IsLoopback(const sockaddr* addr) {
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 421:
      return "Misdirected Request";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads more into `buf`; false on EOF, error or when `deadline` has passed.
bool ReadMore(int fd, std::string* buf, Clock::time_point deadline) {
  int ready = 0;
  do {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
  } while (ready == 0 || (ready < 0 && errno == EINTR));
  if (ready < 0) return false;
  char chunk[16384];
  ssize_t n;
  do {
    n = ::recv(fd, chunk, sizeof chunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  buf->append(chunk, static_cast<size_t>(n));
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Parses the head (request line and headers) of `raw`; false when malformed.
bool ParseHead(std::string_view head, HttpRequest* req) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  req->method = std::string(line.substr(0, sp1));
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target.front() != '/') return false;
  std::string_view query;
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  req->path = PercentDecode(target, false);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (!pair.empty()) {
      req->query.emplace_back(
          PercentDecode(pair.substr(0, eq), true),
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view h = head.substr(pos, end - pos);
    pos = end + 2;
    if (h.empty()) continue;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) return false;
    req->headers.emplace_back(std::string(Trim(h.substr(0, colon))),
                              std::string(Trim(h.substr(colon + 1))));
  }
  return true;
}

std::string ResponseText(const HttpResponse& resp, bool head_only) {
  int status = resp.status;
  if (status < 100 || status > 599) status = 502;
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  for (const auto& [name, value] : resp.headers) {
    if (!IsWritableHeader(name, value)) continue;
    if (Lower(name) == "content-length" || Lower(name) == "connection") continue;
    out += name + ": " + value + "\r\n";
  }
  const std::string_view body = status == resp.status ? std::string_view(resp.body) : "";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  if (!head_only) out += body;
  return out;
}

// Whether `host` ("name[:port]", lower case) names a loopback host.
bool IsLoopbackHost(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = host.substr(0, close + 1);
    port = host.substr(close + 1);
  } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon);
  }
  if (!port.empty()) {
    if (port.front() != ':' || port.size() < 2 || port.size() > 6) return false;
    for (char c : port.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  return name == "127.0.0.1" || name == "localhost" || name == "[::1]";
}

}  // namespace

std::string LoopbackRequestProblem(const HttpRequest& req, int* status) {
  const std::string* host = nullptr;
  const std::string* origin = nullptr;
  int hosts = 0;
  for (const auto& [name, value] : req.headers) {
    const std::string lower = Lower(name);
    if (lower == "host") {
      host = &value;
      ++hosts;
    } else if (lower == "origin") {
      if (origin != nullptr) {
        *status = 403;
        return "more than one Origin header";
      }
      origin = &value;
    }
  }
  if (hosts != 1 || !IsLoopbackHost(Lower(*host))) {
    *status = 421;
    return "the Host header must name a loopback host (127.0.0.1, localhost or [::1])";
  }
  if (origin != nullptr && Lower(*origin) != "http://" + Lower(*host)) {
    *status = 403;
    return "cross-origin request refused (Origin is not this server)";
  }
  return "";
}

bool IsWritableHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool SplitHostPort(const std::string& listen, std::string* host, std::string* port) {
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return false;
    *host = listen.substr(1, close - 1);
    *port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return false;
    *host = listen.substr(0, colon);
    *port = listen.substr(colon + 1);
  }
  if (host->empty() || port->empty()) return false;
  for (char c : *port) {
    if (c < '0' || c > '9') return false;
  }
  return port->size() <= 5 && std::stoi(*port) <= 65535;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

LoopbackHttpServer::~LoopbackHttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

Status LoopbackHttpServer::Listen(const std::string& listen) {
  std::string host, port;
  if (!SplitHostPort(listen, &host, &port)) {
    return Status::Error("--listen " + listen + ": expected HOST:PORT, e.g. 127.0.0.1:8390");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::Error("--listen " + listen + ": " + gai_strerror(rc));
  }
  Status result = Status::Error("--listen " + listen +
                                ": not a loopback address (serve only listens on loopback)");
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (!IsLoopback(a->ai_addr)) continue;
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      result = Status::Error("--listen " + listen + ": " + std::strerror(errno));
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    char text[INET6_ADDRSTRLEN] = {};
    int bound_port = 0;
    if (bound.ss_family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&bound);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      bound_port = ntohs(in->sin_port);
      address_ = std::string(text) + ":" + std::to_string(bound_port);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&bound);
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      bound_port = ntohs(in6->sin6_port);
      address_ = "[" + std::string(text) + "]:" + std::to_string(bound_port);
    }
    listen_fd_ = fd;
    result = Status();
    break;
  }
  ::freeaddrinfo(found);
  if (!result) return result;
  if (::pipe2(wake_, O_CLOEXEC) != 0)
    return Status::Error(std::string("pipe: ") + std::strerror(errno));
  return Status();
}

void LoopbackHttpServer::Stop() {
  if (wake_[1] >= 0) {
    char c = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_[1], &c, 1);
  }
}

void LoopbackHttpServer::Run(const HttpHandler& handler) {
  bool said_busy = false;
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    bool admitted = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (connections_ < limits_.max_connections) {
        ++connections_;
        admitted = true;
      }
    }
    if (admitted) {
      try {
        std::thread([this, fd, &handler] {
          Serve(fd, handler);
          ::close(fd);
          std::lock_guard<std::mutex> lock(mu_);
          if (--connections_ == 0) idle_.notify_all();
        }).detach();
        continue;
      } catch (const std::system_error&) {
        std::lock_guard<std::mutex> lock(mu_);
        if (--connections_ == 0) idle_.notify_all();
      }
    }
    // Over the cap (or no thread to be had): a short answer without waiting for the
    // request, written without blocking the accept loop; said once on stderr.
    if (!said_busy) {
      said_busy = true;
      std::cerr << "cpa-sched serve: more than " << limits_.max_connections
                << " connections at once (or no thread to serve one): answering 503\n";
    }
    const std::string busy = ResponseText(
        {503, {{"Content-Type", "text/plain"}, {"Retry-After", "1"}}, "server busy\n"}, false);
    [[maybe_unused]] ssize_t n = ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(fd);
  }
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return connections_ == 0; });
}

void LoopbackHttpServer::Serve(int fd, const HttpHandler& handler) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(limits_.deadline_ms);
  // Writes block at most until the deadline too (a client that does not read).
  timeval send_timeout{limits_.deadline_ms / 1000, (limits_.deadline_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  auto answer = [&](const HttpResponse& resp, bool head_only) {
    WriteAll(fd, ResponseText(resp, head_only));
    ::shutdown(fd, SHUT_WR);
    // A lingering close: what the client still sends is read and dropped (for a second at
    // most, up to max_body) so that closing with unread bytes does not reset the
    // connection before the client has read the answer.
    const Clock::time_point linger = std::min(deadline, Clock::now() + std::chrono::seconds(1));
    std::string rest;
    for (size_t dropped = 0; dropped <= limits_.max_body && ReadMore(fd, &rest, linger);) {
      dropped += rest.size();
      rest.clear();
    }
  };
  std::string raw;
  size_t head_end;
  size_t scanned = 0;  // raw[0, scanned) holds no "\r\n\r\n" starting in it
  while ((head_end = raw.find("\r\n\r\n", scanned)) == std::string::npos) {
    scanned = raw.size() < 3 ? 0 : raw.size() - 3;
    if (raw.size() > limits_.max_head) {
      answer({431, {{"Content-Type", "text/plain"}}, "request header too large\n"}, false);
      return;
    }
    if (!ReadMore(fd, &raw, deadline)) return;
  }
  if (head_end > limits_.max_head) {
    answer({431, {{"Content-Type", "text/plain"}}, "request header too large\n"}, false);
    return;
  }
  HttpRequest req;
  if (!ParseHead(std::string_view(raw).substr(0, head_end), &req)) {
    answer({400, {{"Content-Type", "text/plain"}}, "bad request\n"}, false);
    return;
  }
  const bool head_only = req.method == "HEAD";
  int refused = 0;
  if (std::string problem = LoopbackRequestProblem(req, &refused); !problem.empty()) {
    answer({refused, {{"Content-Type", "text/plain"}}, problem + "\n"}, head_only);
    return;
  }
  size_t length = 0;
  for (const auto& [name, value] : req.headers) {
    if (Lower(name) != "content-length") continue;
    try {
      length = static_cast<size_t>(std::stoull(value));
    } catch (...) {
      length = limits_.max_body + 1;
    }
  }
  if (length > limits_.max_body) {
    answer({413, {{"Content-Type", "text/plain"}}, "request body too large\n"}, head_only);
    return;
  }
  raw.erase(0, head_end + 4);
  while (raw.size() < length) {
    if (!ReadMore(fd, &raw, deadline)) return;
  }
  req.body = raw.substr(0, length);
  answer(handler(req), head_only);
}

}  // namespace cpa_sched

#include "serve/loopback_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace cpa_sched {

using cliproxy::host::Status;

namespace {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxBody = 1024 * 1024;
constexpr int kReadTimeoutMs = 10000;

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
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
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

// Reads more into `buf`; false on EOF, error or timeout.
bool ReadMore(int fd, std::string* buf) {
  pollfd p{fd, POLLIN, 0};
  int ready = ::poll(&p, 1, kReadTimeoutMs);
  if (ready <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
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

}  // namespace

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
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++connections_;
    }
    std::thread([this, fd, &handler] {
      Serve(fd, handler);
      ::close(fd);
      std::lock_guard<std::mutex> lock(mu_);
      if (--connections_ == 0) idle_.notify_all();
    }).detach();
  }
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return connections_ == 0; });
}

void LoopbackHttpServer::Serve(int fd, const HttpHandler& handler) {
  std::string raw;
  size_t head_end;
  while ((head_end = raw.find("\r\n\r\n")) == std::string::npos) {
    if (raw.size() > kMaxHead || !ReadMore(fd, &raw)) return;
  }
  HttpRequest req;
  HttpResponse resp;
  if (!ParseHead(std::string_view(raw).substr(0, head_end), &req)) {
    resp = {400, {{"Content-Type", "text/plain"}}, "bad request\n"};
  } else {
    size_t length = 0;
    bool too_large = false;
    for (const auto& [name, value] : req.headers) {
      if (Lower(name) != "content-length") continue;
      try {
        length = static_cast<size_t>(std::stoull(value));
      } catch (...) {
        length = kMaxBody + 1;
      }
    }
    too_large = length > kMaxBody;
    raw.erase(0, head_end + 4);
    while (!too_large && raw.size() < length) {
      if (!ReadMore(fd, &raw)) return;
    }
    if (too_large) {
      resp = {413, {{"Content-Type", "text/plain"}}, "request body too large\n"};
    } else {
      req.body = raw.substr(0, length);
      resp = handler(req);
    }
  }
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + Reason(resp.status) + "\r\n";
  for (const auto& [name, value] : resp.headers) {
    if (Lower(name) == "content-length" || Lower(name) == "connection") continue;
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\nConnection: close\r\n\r\n";
  if (req.method != "HEAD") out += resp.body;
  WriteAll(fd, out);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace cpa_sched

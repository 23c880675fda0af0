// The loopback HTTP server of `cpa-sched serve`, in process: its limits (connections at
// once, the deadline per connection, the size of a request), the checks that keep other
// sites' pages out (Host, Origin), and what it refuses to write (a status outside 100-599,
// headers that would split the response).
#include "serve/loopback_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cpa_sched::testing {
namespace {

// A server on 127.0.0.1:0 running on its own thread until destroyed.
class RunningServer {
 public:
  RunningServer(HttpLimits limits, HttpHandler handler)
      : server_(limits), handler_(std::move(handler)) {
    EXPECT_TRUE(server_.Listen("127.0.0.1:0")) << "listen";
    port_ = std::stoi(server_.address().substr(server_.address().rfind(':') + 1));
    thread_ = std::thread([this] { server_.Run(handler_); });
  }
  ~RunningServer() {
    server_.Stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  LoopbackHttpServer server_;
  HttpHandler handler_;
  int port_ = 0;
  std::thread thread_;
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& data) {
  ASSERT_EQ(send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

// Everything the server writes until it closes.
std::string ReadAll(int fd) {
  std::string raw;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) raw.append(buf, static_cast<size_t>(n));
  return raw;
}

int StatusOf(const std::string& raw) {
  return raw.size() >= 12 && raw.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0;
}

// One request (`head_lines` after the request line, each ending with CRLF); the whole answer.
std::string Exchange(int port, const std::string& head_lines, const std::string& path = "/") {
  int fd = Connect(port);
  if (fd < 0) return "";
  Send(fd, "GET " + path + " HTTP/1.1\r\n" + head_lines + "\r\n");
  std::string raw = ReadAll(fd);
  close(fd);
  return raw;
}

HttpResponse Ok(const HttpRequest&) { return {200, {{"Content-Type", "text/plain"}}, "ok\n"}; }

TEST(ServeLoopbackHttpTest, AnswersBusyBeyondItsConnectionCap) {
  std::atomic<int> served{0};
  RunningServer server({.max_connections = 2}, [&](const HttpRequest& r) {
    ++served;
    return Ok(r);
  });
  // Two connections that send nothing hold both places (accepted in order, before the third).
  int idle1 = Connect(server.port());
  int idle2 = Connect(server.port());
  ASSERT_GE(idle1, 0);
  ASSERT_GE(idle2, 0);
  int third = Connect(server.port());
  ASSERT_GE(third, 0);
  const std::string busy = ReadAll(third);
  close(third);
  EXPECT_EQ(StatusOf(busy), 503) << busy;
  EXPECT_NE(busy.find("Retry-After: 1\r\n"), std::string::npos) << busy;
  EXPECT_EQ(served.load(), 0);
  // Once they go, the places are free again.
  close(idle1);
  close(idle2);
  int status = 0;
  for (int attempt = 0; attempt < 1000 && status != 200; ++attempt) {
    status = StatusOf(Exchange(server.port(), "Host: " + server.host() + "\r\n"));
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(status, 200);
}

TEST(ServeLoopbackHttpTest, ClosesAClientThatDripsItsRequestPastTheDeadline) {
  std::atomic<int> served{0};
  RunningServer server({.deadline_ms = 300}, [&](const HttpRequest& r) {
    ++served;
    return Ok(r);
  });
  int fd = Connect(server.port());
  ASSERT_GE(fd, 0);
  Send(fd, "GET / HTTP/1.1\r\nHost: " + server.host() + "\r\n");
  // A header byte every 20 ms, each within any per-read timeout, until the server hangs up.
  bool closed = false;
  while (!closed) {
    if (send(fd, "X", 1, MSG_NOSIGNAL) != 1) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) {
      char c;
      closed = read(fd, &c, 1) <= 0;
    }
  }
  close(fd);
  EXPECT_EQ(served.load(), 0);
}

TEST(ServeLoopbackHttpTest, FindsTheEndOfAHeadSentAByteAtATimeAndRefusesAnOversizedOne) {
  RunningServer server({}, Ok);
  int fd = Connect(server.port());
  ASSERT_GE(fd, 0);
  const std::string request = "GET / HTTP/1.1\r\nHost: " + server.host() + "\r\n\r\n";
  for (char c : request) Send(fd, std::string(1, c));
  const std::string reply = ReadAll(fd);
  close(fd);
  EXPECT_EQ(StatusOf(reply), 200) << reply;

  fd = Connect(server.port());
  ASSERT_GE(fd, 0);
  Send(fd, "GET / HTTP/1.1\r\nHost: " + server.host() + "\r\nX-Big: ");
  const std::string filler(16 * 1024, 'a');
  for (int i = 0; i < 5; ++i) {
    if (send(fd, filler.data(), filler.size(), MSG_NOSIGNAL) <= 0) break;
  }
  shutdown(fd, SHUT_WR);
  const std::string big = ReadAll(fd);
  close(fd);
  EXPECT_EQ(StatusOf(big), 431) << big.substr(0, 200);
}

TEST(ServeLoopbackHttpTest, ServesOnlyLoopbackHostsAndTheirOwnOrigin) {
  RunningServer server({}, Ok);
  const std::string port = std::to_string(server.port());
  auto status = [&](const std::string& lines) { return StatusOf(Exchange(server.port(), lines)); };
  // Loopback names, with or without a port, in any case.
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\n"), 200);
  EXPECT_EQ(status("Host: localhost:" + port + "\r\n"), 200);
  EXPECT_EQ(status("Host: LocalHost\r\n"), 200);
  EXPECT_EQ(status("Host: [::1]:" + port + "\r\n"), 200);
  // DNS rebinding: another name that resolves to 127.0.0.1 for the browser.
  EXPECT_EQ(status("Host: evil.example:" + port + "\r\n"), 421);
  EXPECT_EQ(status("Host: 127.0.0.1.evil.example\r\n"), 421);
  EXPECT_EQ(status("Host: localhost:" + port + "@evil\r\n"), 421);
  EXPECT_EQ(status("Host: 127.0.0.2\r\n"), 421);
  EXPECT_EQ(status(""), 421);  // no Host at all
  EXPECT_EQ(status("Host: localhost\r\nHost: evil.example\r\n"), 421);
  // An Origin, when sent, is the page's own.
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + port + "\r\n"),
            200);
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example\r\n"), 403);
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\nOrigin: null\r\n"), 403);
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\nOrigin: http://localhost:" + port + "\r\n"),
            403);
  EXPECT_EQ(status("Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:1\r\n"), 403);
}

TEST(ServeLoopbackHttpTest, WritesNoStatusOutsideHttpAndNoHeaderThatSplitsTheResponse) {
  int64_t next_status = 200;
  std::mutex mu;
  RunningServer server({}, [&](const HttpRequest&) {
    std::lock_guard<std::mutex> lock(mu);
    return HttpResponse{static_cast<int>(next_status),
                        {{"X-Good", "yes"},
                         {"X-Split", "a\r\nSet-Cookie: stolen=1"},
                         {"X-Lf", "a\nb"},
                         {"X Space", "v"},
                         {"X-Colon:", "v"},
                         {"", "v"}},
                        "body\n"};
  });
  const std::string host = "Host: " + server.host() + "\r\n";
  const std::string reply = Exchange(server.port(), host);
  EXPECT_EQ(StatusOf(reply), 200) << reply;
  EXPECT_NE(reply.find("\r\nX-Good: yes\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("Set-Cookie"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("X-Split"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("X-Lf"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("X Space"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("X-Colon"), std::string::npos) << reply;
  for (int64_t bad : {0, 99, 600, 1000, -200}) {
    {
      std::lock_guard<std::mutex> lock(mu);
      next_status = bad;
    }
    EXPECT_EQ(StatusOf(Exchange(server.port(), host)), 502) << bad;
  }
  EXPECT_TRUE(IsWritableHeader("Content-Type", "text/html; charset=utf-8"));
  EXPECT_FALSE(IsWritableHeader("X", std::string("a\0b", 3)));
}

}  // namespace
}  // namespace cpa_sched::testing

// cpa-sched serve, run as a program on scheduler.so: it hosts the plugin's management routes
// and resources on loopback, and the status page, loaded in a real headless Chromium, shows
// the traffic that was sent through the host.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check_tool_run.hpp"
#include "host_test_support.hpp"

namespace cpa_sched::testing {
namespace {

using cliproxy::host::testing::TempDir;

const char kConfig[] = R"(routes:
  - name: spread
    when: {providers: [codex]}
    strategy: round-robin
  - name: budget
    when: {providers: [claude]}
    strategy: least-used
)";

std::string PickLine(const std::string& provider, const std::vector<std::string>& ids) {
  std::string s = "{\"Provider\":\"" + provider + "\",\"Providers\":[\"" + provider +
                  "\"],\"Model\":\"m\",\"Candidates\":[";
  for (size_t i = 0; i < ids.size(); ++i) {
    s += std::string(i ? "," : "") + "{\"ID\":\"" + ids[i] + "\",\"Status\":\"active\"}";
  }
  return s + "]}\n";
}

// A `cpa-sched serve` running in the background; stopped (SIGTERM) when destroyed.
class Server {
 public:
  Server(const std::vector<std::string>& args, const TempDir& dir) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      int err = open(dir.File("serve.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(err, 2);
      close(out[0]);
      std::vector<char*> argv;
      std::string program = CLIPROXY_CPA_SCHED;
      argv.push_back(program.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = fdopen(out[0], "r");
    // Reads the banner up to the last route line; the server is listening by then.
    char line[4096];
    while (out_ != nullptr && fgets(line, sizeof line, out_) != nullptr) {
      std::string l(line);
      banner_ += l;
      if (l.rfind("listening on http://", 0) == 0) {
        base_ = l.substr(std::string("listening on ").size());
        while (!base_.empty() && (base_.back() == '\n' || base_.back() == '/')) base_.pop_back();
      }
      if (l.rfind("resource ", 0) == 0) break;  // the last line of the banner
    }
  }
  ~Server() { Stop(); }

  // SIGTERM, then the exit code.
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (out_ != nullptr) fclose(out_);
    out_ = nullptr;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  const std::string& base() const { return base_; }  // "http://127.0.0.1:PORT"
  const std::string& banner() const { return banner_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string base_;
  std::string banner_;
  int exit_code_ = -1;
};

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
};

// One GET to `base` + `path` (base "http://127.0.0.1:PORT").
// `host` replaces the Host header's value; `origin`, when not empty, is sent as Origin.
HttpReply Get(const std::string& base, const std::string& path, const std::string& method = "GET",
              const std::string& host = "", const std::string& origin = "") {
  HttpReply reply;
  const std::string hostport = base.substr(std::string("http://").size());
  const int port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply;
  }
  const std::string request = method + " " + path +
                              " HTTP/1.1\r\nHost: " + (host.empty() ? hostport : host) +
                              (origin.empty() ? "" : "\r\nOrigin: " + origin) +
                              "\r\nAuthorization: Bearer not-needed\r\nContent-Length: 0\r\n\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string raw;
  char buf[8192];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return reply;
  reply.head = raw.substr(0, end);
  reply.body = raw.substr(end + 4);
  reply.status = std::stoi(raw.substr(9, 3));
  return reply;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("sched.yaml")) << kConfig;
    std::ofstream picks(dir_.File("picks.jsonl"));
    picks << "# six round-robin picks, one least-used\n";
    for (int i = 0; i < 6; ++i)
      picks << PickLine("codex", {"codex-a.json", "codex-b.json", "codex-c.json"});
    picks << PickLine("claude", {"claude-x.json", "claude-y.json"});
  }
  std::vector<std::string> Args(const std::string& listen = "127.0.0.1:0") const {
    return {
        "serve",   CLIPROXY_SCHEDULER_SO,   "--config", dir_.File("sched.yaml"), "--listen", listen,
        "--picks", dir_.File("picks.jsonl")};
  }
  TempDir dir_;
};

TEST_F(ServeTest, HostsTheStatusJsonThePageAndAMenuOnLoopback) {
  Server server(Args(), dir_);
  ASSERT_FALSE(server.base().empty()) << server.banner();
  EXPECT_NE(server.banner().find("sent 7 picks (0 failed) and 0 usage records"), std::string::npos)
      << server.banner();
  EXPECT_NE(server.banner().find("resource GET " + server.base() +
                                 "/v0/resource/plugins/scheduler/status  (menu: Scheduler status)"),
            std::string::npos)
      << server.banner();

  HttpReply index = Get(server.base(), "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(
      index.body.find("<a href=\"/v0/resource/plugins/scheduler/status\">Scheduler status</a>"),
      std::string::npos)
      << index.body;

  HttpReply json = Get(server.base(), "/v0/management/plugins/scheduler/status");
  EXPECT_EQ(json.status, 200);
  EXPECT_NE(json.head.find("Content-Type: application/json"), std::string::npos) << json.head;
  EXPECT_NE(json.body.find(R"("counters":{"picks":7,"auth":7,)"), std::string::npos) << json.body;
  EXPECT_NE(json.body.find(R"({"id":"codex-a.json","picks":2,"share":0.3333,)"), std::string::npos)
      << json.body;

  HttpReply page = Get(server.base(), "/v0/resource/plugins/scheduler/status");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.head.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(page.head.find("Content-Security-Policy: default-src 'none'"), std::string::npos);

  EXPECT_EQ(Get(server.base(), "/v0/resource/plugins/scheduler/nothing").status, 404);
  EXPECT_EQ(Get(server.base(), "/v0/management/plugins/scheduler/status", "DELETE").status, 404);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeTest, AnswersOnlyRequestsForALoopbackHostFromItsOwnOrigin) {
  Server server(Args(), dir_);
  ASSERT_FALSE(server.base().empty()) << server.banner();
  const std::string json = "/v0/management/plugins/scheduler/status";
  const std::string port = server.base().substr(server.base().rfind(':') + 1);
  EXPECT_EQ(Get(server.base(), json, "GET", "localhost:" + port).status, 200);
  EXPECT_EQ(Get(server.base(), json, "GET", "[::1]:" + port).status, 200);
  // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
  HttpReply rebound = Get(server.base(), json, "GET", "evil.example:" + port);
  EXPECT_EQ(rebound.status, 421);
  EXPECT_EQ(rebound.body.find("counters"), std::string::npos);
  // A cross-site request (a form or fetch from another origin) is refused; the page's own
  // fetch (same origin) is served.
  EXPECT_EQ(Get(server.base(), json, "GET", "", "http://evil.example").status, 403);
  EXPECT_EQ(Get(server.base(), json, "POST", "", "http://evil.example").status, 403);
  EXPECT_EQ(Get(server.base(), json, "GET", "", server.base()).status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServeTest, RefusesAnAddressThatIsNotLoopbackAndAPluginWithoutPages) {
  ToolRun wide = RunTool(Args("0.0.0.0:0"), dir_);
  EXPECT_EQ(wide.exit_code, 2);
  EXPECT_NE(wide.err.find("not a loopback address"), std::string::npos) << wide.err;
  std::ofstream(dir_.File("plain.yaml")) << "status_page: false\n";
  ToolRun plain = RunTool({"serve", CLIPROXY_SCHEDULER_SO, "--config", dir_.File("plain.yaml"),
                           "--listen", "127.0.0.1:0"},
                          dir_);
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("does not declare the capability management_api"), std::string::npos)
      << plain.err;
}

// --- the page in a real browser ------------------------------------------------------

// Runs `command` through sh; its stdout, and the exit code in *code.
std::string Shell(const std::string& command, int* code) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    *code = -1;
    return out;
  }
  char buf[8192];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string Chromium(const TempDir& dir, const std::string& args) {
  // A profile of its own; no sandbox (containers run the tests as root).
  return cliproxy::test_support::ShellQuote(CLIPROXY_CHROMIUM) +
         " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" +
         cliproxy::test_support::ShellQuote(dir.File("chromium-profile")) + " " + args + " 2>" +
         cliproxy::test_support::ShellQuote(dir.File("chromium.err"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(ServeTest, ThePageRendersTheTrafficInHeadlessChromium) {
  // Skipped only when no Chromium can run at all here, saying why.
  const std::string chromium = CLIPROXY_CHROMIUM;
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium not found at configure time (scripts/setup.sh installs Debian's "
                    "chromium); the status page was not tested in a browser";
  }
  int code = 0;
  const std::string blank = Shell(Chromium(dir_, "--dump-dom about:blank"), &code);
  if (code != 0 || blank.find("<html") == std::string::npos) {
    GTEST_SKIP() << "chromium cannot run here (exit " << code
                 << "): " << ReadFile(dir_.File("chromium.err")).substr(0, 2000);
  }

  Server server(Args(), dir_);
  ASSERT_FALSE(server.base().empty()) << server.banner();
  const std::string url = server.base() + "/v0/resource/plugins/scheduler/status";
  // Virtual time lets the page's fetch of the JSON finish before the DOM is dumped.
  const std::string dom = Shell(Chromium(dir_, "--virtual-time-budget=5000 --dump-dom " +
                                                   cliproxy::test_support::ShellQuote(url)),
                                &code);
  ASSERT_EQ(code, 0) << ReadFile(dir_.File("chromium.err"));
  // The document was rendered from the JSON by the page's script.
  EXPECT_NE(dom.find("Configuration generation 1 in force"), std::string::npos) << dom;
  EXPECT_NE(dom.find("data-route=\"spread\""), std::string::npos);
  EXPECT_NE(dom.find("data-route=\"budget\""), std::string::npos);
  for (const char* account : {"codex-a.json", "codex-b.json", "codex-c.json", "claude-x.json"}) {
    EXPECT_NE(dom.find(std::string("data-account=\"") + account + "\""), std::string::npos)
        << account;
  }
  EXPECT_NE(dom.find("33.3%"), std::string::npos);   // each round-robin account's share
  EXPECT_NE(dom.find("100.0%"), std::string::npos);  // claude-x, the only least-used pick
  EXPECT_NE(dom.find("<svg"), std::string::npos);    // the decisions chart
  EXPECT_NE(dom.find("<rect"), std::string::npos);   // with this minute's bar
  // The header says when the data was fetched (not that the fetch failed).
  EXPECT_NE(dom.find("<span id=\"updated\" class=\"muted\">updated "), std::string::npos);

  const std::string shot = dir_.File("status.png");
  Shell(Chromium(dir_, "--virtual-time-budget=5000 --window-size=1200,900 --screenshot=" +
                           cliproxy::test_support::ShellQuote(shot) + " " +
                           cliproxy::test_support::ShellQuote(url)),
        &code);
  EXPECT_EQ(code, 0) << ReadFile(dir_.File("chromium.err"));
  const std::string png = ReadFile(shot);
  ASSERT_GT(png.size(), 8u) << "no screenshot at " << shot;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(png.size(), 10'000u);  // a rendered page, not a blank one
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace cpa_sched::testing

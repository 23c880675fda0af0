// cpa-sched serve: host one plugin's management routes and resources (management_api) over
// HTTP on a loopback address, as CLIProxyAPI's management panel would serve them, for a
// plugin under development or to watch scheduler.so's status page without a proxy.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <thread>

#include "base/html_escape.hpp"
#include "check/check_config.hpp"
#include "cliproxy/host/management_router.hpp"
#include "cliproxy/json.hpp"
#include "command.hpp"
#include "plugin_config.hpp"
#include "serve/loopback_http.hpp"
#include "serve/serve_traffic.hpp"

namespace cpa_sched {

using cliproxy::scheduler::HtmlEscape;

namespace {

using cliproxy::host::ManagementEntry;
using cliproxy::host::ManagementRouter;

struct ServeOptions {
  std::string plugin;
  std::string config;
  std::string listen = "127.0.0.1:8390";
  std::string picks;
  std::string usage;
};

int Fail(const std::string& message) {
  std::cerr << "cpa-sched serve: " << message << "\n";
  return kExitUsage;
}

// The index at "/": the plugin's resources as the management panel's menu lists them.
HttpResponse Index(const std::string& id, const std::vector<ManagementEntry>& entries) {
  std::string body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>cpa-sched "
      "serve</title>"
      "<style>body{font:14px system-ui,sans-serif;margin:24px}li{margin:4px 0}</style></head>"
      "<body><h1>" +
      HtmlEscape(id) + "</h1><h2>Menu</h2><ul>";
  for (const ManagementEntry& e : entries) {
    if (!e.resource) continue;
    body += "<li><a href=\"" + HtmlEscape(e.launch) + "\">" +
            HtmlEscape(e.menu.empty() ? e.path : e.menu) + "</a> <small>" +
            HtmlEscape(e.description) + "</small></li>";
  }
  body += "</ul><h2>Management API</h2><ul>";
  for (const ManagementEntry& e : entries) {
    if (e.resource) continue;
    body += "<li><code>" + HtmlEscape(e.method + " " + e.path) + "</code> <small>" +
            HtmlEscape(e.description) + "</small></li>";
  }
  body += "</ul></body></html>";
  return {200, {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-store"}}, body};
}

HttpResponse Handle(ManagementRouter& router, const std::string& id, const HttpRequest& req) {
  if (req.path == "/" && (req.method == "GET" || req.method == "HEAD")) {
    return Index(id, router.Entries());
  }
  cliproxy::ManagementRequest request;
  request.method = req.method;
  request.path = req.path;
  for (const auto& [name, value] : req.headers) {
    if (const auto* values = cliproxy::FindHeader(request.headers, name)) {
      auto copy = *values;
      copy.push_back(value);
      request.headers.Set(name, std::move(copy));
    } else {
      request.headers.Set(name, {value});
    }
  }
  for (const auto& [key, value] : req.query) {
    cliproxy::Slice<std::string> values;
    if (const auto* held = request.query.Find(key)) values = *held;
    values.push_back(value);
    request.query.Set(key, std::move(values));
  }
  request.body = req.body;
  std::optional<cliproxy::ManagementResponse> response = router.Serve(request);
  if (!response) return {404, {{"Content-Type", "text/plain"}}, "404 page not found\n"};
  HttpResponse out;
  // The plugin's answer as sent, except what HTTP cannot carry: a status outside 100-599
  // is a bad answer (502), and a header whose name is not a token or whose value holds
  // CR, LF or NUL is dropped (it would split the response).
  const int64_t status = response->status_code;
  if (status < 100 || status > 599) {
    return {502,
            {{"Content-Type", "text/plain"}},
            "the plugin answered the status " + std::to_string(status) + "\n"};
  }
  out.status = static_cast<int>(status);
  for (const auto& [name, values] : response->headers) {
    for (const std::string& value : values) {
      if (IsWritableHeader(name, value)) out.headers.emplace_back(name, value);
    }
  }
  out.body = std::move(response->body);
  return out;
}

int RunServe(const ServeOptions& options) {
  // SIGINT / SIGTERM end the server: waited for on this thread (sigwait below). Blocked
  // first, before the plugin is loaded, so that every thread started from here on (the
  // plugin's during register, the server's) inherits the mask and none of them is killed
  // by the signal meant for sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string id = PluginIdFromPath(options.plugin);
  PluginConfig config;
  if (auto s = ReadCommandConfig(options.config, id, &config); !s) return Fail(s.message());
  LoopbackHttpServer server;
  if (auto s = server.Listen(options.listen); !s) return Fail(s.message());

  cliproxy::host::PluginHost host;
  cliproxy::host::Status loaded = host.Load(id, options.plugin, config.settings);
  std::optional<cliproxy::host::PluginInfo> info = host.Info(id);
  if (!info) return Fail(loaded.message());
  if (!loaded) return Fail(options.plugin + ": " + loaded.message());
  if (!info->registration.capabilities.management_api) {
    return Fail(id + " does not declare the capability management_api: it serves no pages");
  }
  ManagementRouter router(host);
  for (const std::string& problem : router.Rebuild()) std::cerr << "warning: " << problem << "\n";
  TrafficSent sent;
  if (auto s = SendTraffic(host, options.picks, options.usage, &sent); !s) return Fail(s.message());
  if (sent.picks + sent.records > 0) {
    std::cout << "sent " << sent.picks << " picks (" << sent.failed_picks << " failed) and "
              << sent.records << " usage records\n";
  }

  const std::string base = "http://" + server.address();
  std::cout << "listening on " << base << "/\n";
  for (const ManagementEntry& e : router.Entries()) {
    std::cout << (e.resource ? "resource " : "route    ") << e.method << " " << base
              << (e.resource ? e.launch : e.path);
    if (!e.menu.empty()) std::cout << "  (menu: " << e.menu << ")";
    std::cout << "\n";
  }
  std::cout << std::flush;

  // Served on another thread until a stop signal arrives.
  std::thread serving(
      [&] { server.Run([&](const HttpRequest& req) { return Handle(router, id, req); }); });
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  serving.join();
  std::cout << "stopped\n";
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& parent) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* app = parent.add_subcommand(
      "serve", "Host PLUGIN's management routes and pages (management_api) on a loopback address");
  AddPluginArguments(app, &options->plugin, &options->config);
  app->add_option("--listen", options->listen,
                  "loopback HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app->add_option(
      "--picks", options->picks,
      "a file of scheduler.pick bodies, one JSON per line, sent through the host first");
  app->add_option("--usage", options->usage,
                  "a file of usage records, one JSON per line, delivered after the picks");
  app->footer(
      "Example:\n"
      "  cpa-sched serve ./scheduler.so --config scheduler.yaml --listen 127.0.0.1:8390\n"
      "  then open http://127.0.0.1:8390/ (the plugin's menu) or its status page,\n"
      "  http://127.0.0.1:8390/v0/resource/plugins/scheduler/status\n"
      "\n"
      "Paths are CLIProxyAPI's: routes under /v0/management/, pages under\n"
      "/v0/resource/plugins/<id>/. Nothing is authenticated: only loopback addresses are\n"
      "accepted, a request's Host must be 127.0.0.1, localhost or [::1] (any port) and its\n"
      "Origin, if any, this server's own. SIGINT or SIGTERM stops the server.\n"
      "\n"
      "Exit codes: 0 stopped by a signal, 2 usage or load error (or no management_api).");
  return {app, [options] { return RunServe(*options); }};
}

}  // namespace cpa_sched

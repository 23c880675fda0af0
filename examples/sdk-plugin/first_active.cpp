// A complete CLIProxyAPI scheduler plugin written with the cliproxy SDK: it picks the first
// candidate whose Status is "active" and whose ID starts with the configured `prefix`
// (the YAML under plugins.configs.<id>, read here with a one-line parser to stay
// dependency-free), and leaves the pick to the host when none is.
#include <mutex>
#include <string>
#include <string_view>

#include "cliproxy/plugin.hpp"
#include "cliproxy/text.hpp"

namespace {

// `prefix: <value>` among the top-level lines of the configuration, or "".
std::string ReadPrefix(std::string_view yaml) {
  while (!yaml.empty()) {
    const size_t end = yaml.find('\n');
    std::string_view line = yaml.substr(0, end);
    if (line.substr(0, 7) == "prefix:") return std::string(cliproxy::TrimSpace(line.substr(7)));
    if (end == std::string_view::npos) break;
    yaml.remove_prefix(end + 1);
  }
  return "";
}

class FirstActive : public cliproxy::Plugin {
 public:
  cliproxy::Result<cliproxy::Registration> Register(
      const cliproxy::LifecycleRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);  // picks race reconfigures
      prefix_ = ReadPrefix(request.config_yaml);
    }
    cliproxy::Registration r;
    r.schema_version = 1;
    r.metadata.name = "first-active";
    r.metadata.version = "1.0.0";
    r.metadata.author = "an SDK user";
    r.metadata.github_repository = "https://github.com/example/first-active";
    r.capabilities.scheduler = true;
    return r;
  }

  cliproxy::Result<cliproxy::PickResult> Pick(const cliproxy::PickRequest& request) override {
    std::string prefix;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      prefix = prefix_;
    }
    cliproxy::PickResult result;
    for (const cliproxy::Candidate& c : request.candidates) {
      if (c.status == "active" && std::string_view(c.id).substr(0, prefix.size()) == prefix) {
        result.auth_id = c.id;
        result.handled = true;
        break;
      }
    }
    return result;
  }

 private:
  std::mutex mutex_;
  std::string prefix_;
};

}  // namespace

CLIPROXY_PLUGIN(FirstActive)

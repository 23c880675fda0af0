#include "check/check_config.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cpa_sched {

using cliproxy::host::Status;

Status ReadCommandConfig(const std::string& path, const std::string& id, PluginConfig* out) {
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path)) {
      return Status::Error("cannot read config " + path + ": " +
                           (std::filesystem::is_directory(path) ? std::string("a directory")
                                                                : std::strerror(errno)));
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
      YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
      std::string at = e.mark.is_null() ? ""
                                        : ":" + std::to_string(e.mark.line + 1) + ":" +
                                              std::to_string(e.mark.column + 1);
      return Status::Error(path + at + ": not valid YAML: " + e.msg);
    }
  }
  return ReadPluginConfig(path, id, out);
}

Status CheckPluginFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Status::Error("cannot read plugin " + path + ": a directory");
  }
  if (access(path.c_str(), R_OK) != 0) {
    return Status::Error("cannot read plugin " + path + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace cpa_sched

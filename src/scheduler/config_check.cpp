#include "scheduler/config_check.hpp"

#include "base/yaml_reader.hpp"

namespace cliproxy::scheduler {

void FailAt(const RouteConfig& route, const std::string& key, const std::string& what) {
  throw ConfigError(route.Where(key) + ": " + what);
}

GlobList CompileGlobs(const RouteConfig& route, const std::string& key,
                      const std::vector<std::string>& patterns, CaseFold fold) {
  std::vector<Glob> globs;
  globs.reserve(patterns.size());
  for (const std::string& p : patterns) {
    std::string error;
    std::optional<Glob> g = Glob::Compile(p, fold, &error);
    if (!g) FailAt(route, key, error);
    globs.push_back(std::move(*g));
  }
  return GlobList(std::move(globs));
}

}  // namespace cliproxy::scheduler

// Every YAML example in README.md and docs/configuration.md is a configuration that
// scheduler.so accepts: whole configurations as they are, CLIProxyAPI config.yaml excerpts
// by their `plugins.configs.scheduler` entry, and route fragments inside a route.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "loaded_scheduler.hpp"

namespace cliproxy::examples {
namespace {

// The ```yaml blocks of a Markdown text, without the indentation of their fence (a block
// inside a list item is indented).
std::vector<std::string> YamlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  const std::regex fence("( *)```yaml\n([\\s\\S]*?)\n *```");
  for (std::sregex_iterator it(markdown.begin(), markdown.end(), fence), end; it != end; ++it) {
    const size_t indent = (*it)[1].length();
    std::istringstream in((*it)[2].str());
    std::string line, block;
    while (std::getline(in, line)) block += line.substr(std::min(indent, line.size())) + "\n";
    blocks.push_back(block);
  }
  return blocks;
}

std::string Indent(const std::string& text, int spaces) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += std::string(spaces, ' ') + line + "\n";
  return out;
}

// The plugin configuration a documentation block stands for.
std::string AsConfiguration(const std::string& block) {
  if (block.rfind("plugins:", 0) == 0) {
    YAML::Emitter out;
    out << YAML::Load(block)["plugins"]["configs"]["scheduler"];
    return out.c_str();
  }
  for (const char* top : {"routes:", "auth_id:", "delegate:", "deny:", "across_priorities:",
                          "no_route:", "fail_open:", "state:"}) {
    if (block.rfind(top, 0) == 0) return block;  // a whole plugin configuration
  }
  if (block.rfind("- ", 0) == 0) return "routes:\n" + Indent(block, 2);
  return "routes:\n  - name: snippet\n" + Indent(block, 4);  // keys of one route
}

void ExpectEveryBlockAccepted(const std::string& file, size_t at_least) {
  const std::vector<std::string> blocks =
      YamlBlocks(test_support::ReadFile(std::string(CLIPROXY_PROJECT_DIR) + "/" + file));
  EXPECT_GE(blocks.size(), at_least) << file;
  for (const std::string& block : blocks) {
    LoadedScheduler scheduler;
    const std::string config = AsConfiguration(block);
    EXPECT_EQ(scheduler.Register(config), "") << file << ":\n" << block << "\nas:\n" << config;
  }
}

TEST(DocsSnippets, EveryReadmeExampleIsAccepted) { ExpectEveryBlockAccepted("README.md", 2); }

TEST(DocsSnippets, EveryConfigurationReferenceExampleIsAccepted) {
  ExpectEveryBlockAccepted("docs/configuration.md", 10);
}

TEST(DocsSnippets, AMistakeInASnippetWouldBeCaught) {
  LoadedScheduler scheduler;
  EXPECT_NE(scheduler.Register(AsConfiguration("strategy: least-used\nusage: {window: 0}\n")), "");
  EXPECT_NE(scheduler.Register(AsConfiguration("strategy: fastest\nusage: {window: 1h}\n")), "");
}

}  // namespace
}  // namespace cliproxy::examples

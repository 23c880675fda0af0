#include "scheduler/config_problem.hpp"

#include <regex>

namespace cliproxy::scheduler {
namespace {

int ToInt(const std::string& digits) {
  // Positions are what yaml-cpp counts, far below INT_MAX; a longer run of digits is not
  // a position.
  return digits.size() > 9 ? 0 : std::stoi(digits);
}

}  // namespace

ConfigProblem ReadConfigProblem(std::string_view message) {
  // A key path may itself hold ':' (a weights glob over IDs such as "openai-compatibility:
  // mock:..."): the first ": line L, column C: " ends it.
  static const std::regex kYaml(R"(^invalid YAML at line (\d+)(?:, column (\d+))?:? ?)");
  static const std::regex kKey(R"(^(.+?): line (\d+), column (\d+): )");
  ConfigProblem problem;
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(message.begin(), message.end(), m, kYaml)) {
    problem.line = ToInt(m[1].str());
    problem.column = m[2].matched ? ToInt(m[2].str()) : 0;
  } else if (std::regex_search(message.begin(), message.end(), m, kKey)) {
    problem.key = m[1].str() == "config" ? "" : m[1].str();
    problem.line = ToInt(m[2].str());
    problem.column = ToInt(m[3].str());
  } else {
    problem.what = std::string(message);
    return problem;
  }
  problem.what = std::string(m.suffix().first, m.suffix().second);
  return problem;
}

std::string WithoutQuotedValues(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c != '`' && c != '"') {
      out += c;
      continue;
    }
    const size_t close = message.find(c, i + 1);
    if (close == std::string_view::npos) {  // an unclosed quote: drop the rest
      out += c;
      out += "...";
      out += c;
      break;
    }
    out += c;
    out += "...";
    out += c;
    i = close;
  }
  return out;
}

}  // namespace cliproxy::scheduler

#include "capability_list.hpp"

#include "cliproxy/json.hpp"

namespace cpa_sched {

std::string CapabilityList(const cliproxy::Capabilities& c) {
  std::string out;
  auto add = [&](std::string_view item) {
    if (!out.empty()) out += ",";
    out += item;
  };
  for (std::string_view flag : cliproxy::json::SetCapabilityFlags(c)) add(flag);
  if (!c.executor_model_scope.empty()) add("executor_model_scope=" + c.executor_model_scope);
  for (auto [name, formats] : {std::pair{"executor_input_formats", &c.executor_input_formats},
                               std::pair{"executor_output_formats", &c.executor_output_formats}}) {
    if (formats->empty()) continue;
    std::string list;
    for (const std::string& format : *formats) list += (list.empty() ? "" : " ") + format;
    add(std::string(name) + "=[" + list + "]");
  }
  return out.empty() ? "none" : out;
}

}  // namespace cpa_sched

#include "scheduler/route_config.hpp"

#include "scheduler/yaml_reader.hpp"

namespace cliproxy::scheduler {

RouteConfig ParseRouteConfig(const YamlReader& item) {
  RouteConfig route;
  if (!item.IsMap()) item.Fail("a route must be a mapping, got " + item.Describe());
  item.ForEach([&](const std::string& key, const YamlReader& value) {
    if (key == "name") route.name = value.String();
  });
  if (route.name.empty()) item.Fail("a route needs a `name`");
  return route;
}

}  // namespace cliproxy::scheduler

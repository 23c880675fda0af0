#include "scheduler/route_condition.hpp"

#include "cliproxy/text.hpp"
#include "scheduler/config_check.hpp"

namespace cliproxy::scheduler {

RouteCondition RouteCondition::Compile(const RouteConfig& route) {
  const RouteConfig::When& when = route.when;
  RouteCondition c;
  c.models_ = CompileGlobs(route, "when.models", when.models);
  c.providers_ = CompileGlobs(route, "when.providers", when.providers, CaseFold::kAscii);
  for (const KeyGlobs& h : when.headers) {
    c.headers_.push_back({h.key, CompileGlobs(route, "when.headers." + h.key, h.globs)});
  }
  for (const KeyGlobs& m : when.metadata) {
    c.metadata_.push_back({m.key, CompileGlobs(route, "when.metadata." + m.key, m.globs)});
  }
  c.stream_ = when.stream;
  // A list written but empty (`models: []`) can never match: say so rather than build a
  // route that silently never fires.
  if (route.Has("when.models") && when.models.empty()) {
    FailAt(route, "when.models", "an empty list matches nothing; omit the key to match all");
  }
  if (route.Has("when.providers") && when.providers.empty()) {
    FailAt(route, "when.providers", "an empty list matches nothing; omit the key to match all");
  }
  for (const KeyGlobs& k : when.headers) {
    if (k.globs.empty()) {
      FailAt(route, "when.headers." + k.key, "an empty list matches nothing; use \"*\"");
    }
  }
  for (const KeyGlobs& k : when.metadata) {
    if (k.globs.empty()) {
      FailAt(route, "when.metadata." + k.key, "an empty list matches nothing; use \"*\"");
    }
  }
  return c;
}

bool RouteCondition::Matches(const PickRequest& request) const {
  if (stream_.has_value() && request.stream != *stream_) return false;
  if (!models_.empty() && !models_.Matches(request.model)) return false;
  if (!providers_.empty()) {
    bool any = !request.provider.empty() && providers_.Matches(request.provider);
    for (size_t i = 0; !any && i < request.providers.size(); ++i) {
      any = providers_.Matches(request.providers[i]);
    }
    if (!any) return false;
  }
  if (!headers_.empty() && !HeadersMatch(request.options.headers)) return false;
  if (!metadata_.empty() && !MetadataMatch(request.options.metadata)) return false;
  return true;
}

bool RouteCondition::HeadersMatch(const HeaderMap& headers) const {
  for (const Keyed& want : headers_) {
    bool found = false;
    // A JSON header map may spell one name in several cases: look at every entry.
    for (const auto& [name, values] : headers) {
      if (!EqualsAsciiFold(name, want.key)) continue;
      for (const std::string& v : values) {
        if (want.globs.Matches(v)) {
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  return true;
}

bool RouteCondition::MetadataMatch(const AnyMap& metadata) const {
  for (const Keyed& want : metadata_) {
    const AnyValue* v = metadata.Find(want.key);
    if (v == nullptr || v->kind == AnyValue::Kind::kNull) return false;
    if (!want.globs.Matches(v->text)) return false;
  }
  return true;
}

void RouteCondition::AddFields(json::PickFields* fields) const {
  if (!providers_.empty()) fields->providers = true;
  if (!headers_.empty()) fields->headers = true;
  if (!metadata_.empty()) fields->request_metadata = true;
}

}  // namespace cliproxy::scheduler

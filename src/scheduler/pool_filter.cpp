#include "scheduler/pool_filter.hpp"

#include "scheduler/config_check.hpp"

namespace cliproxy::scheduler {

PoolFilter PoolFilter::Compile(const RouteConfig& route) {
  const RouteConfig::Pool& pool = route.pool;
  PoolFilter f;
  if (route.Has("pool.ids") && pool.ids.empty()) {
    FailAt(route, "pool.ids", "an empty list matches nothing; omit the key to accept all");
  }
  if (route.Has("pool.statuses") && pool.statuses.empty()) {
    FailAt(route, "pool.statuses", "an empty list matches nothing; omit the key to accept all");
  }
  f.ids_ = CompileGlobs(route, "pool.ids", pool.ids);
  f.statuses_ = CompileGlobs(route, "pool.statuses", pool.statuses, CaseFold::kAscii);
  for (const KeyGlobs& a : pool.attributes) {
    if (a.globs.empty()) {
      FailAt(route, "pool.attributes." + a.key, "an empty list matches nothing; use \"*\"");
    }
    f.attributes_.push_back({a.key, CompileGlobs(route, "pool.attributes." + a.key, a.globs)});
  }
  f.accepts_all_ = f.ids_.empty() && f.statuses_.empty() && f.attributes_.empty();
  return f;
}

bool PoolFilter::Accepts(const Candidate& candidate) const {
  if (!ids_.empty() && !ids_.Matches(candidate.id)) return false;
  if (!statuses_.empty() && !statuses_.Matches(candidate.status)) return false;
  for (const Attribute& a : attributes_) {
    const std::string* value = candidate.attributes.Find(a.key);
    if (value == nullptr || !a.globs.Matches(*value)) return false;
  }
  return true;
}

void PoolFilter::AddFields(json::PickFields* fields) const {
  if (!statuses_.empty()) fields->candidate_status = true;
  if (!attributes_.empty()) fields->candidate_attributes = true;
}

}  // namespace cliproxy::scheduler

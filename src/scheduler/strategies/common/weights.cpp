#include "scheduler/strategies/common/weights.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "scheduler/config_check.hpp"

namespace cliproxy::scheduler {
namespace {

int64_t ToUnits(double weight) {
  if (weight <= 0) return 0;
  if (weight > kMaxWeight) weight = kMaxWeight;
  // A positive weight below the precision still counts: it must not exclude the account.
  return std::max<int64_t>(1, std::llround(weight * static_cast<double>(kWeightScale)));
}

// The attribute's number, or 1 when it is not a usable number.
int64_t ParseAttribute(const std::string& text) {
  if (text.empty()) return kWeightScale;
  errno = 0;
  char* end = nullptr;
  double w = std::strtod(text.c_str(), &end);
  while (end != nullptr && (*end == ' ' || *end == '\t')) ++end;
  if (errno != 0 || end == text.c_str() || *end != '\0' || !std::isfinite(w) || w < 0) {
    return kWeightScale;
  }
  return ToUnits(w);
}

}  // namespace

Weights Weights::Compile(const RouteConfig& route) {
  Weights w;
  for (const WeightRule& rule : route.Key<WeightsConfig>(kWeightsKey.name).rules) {
    const std::string key = "weights." + rule.glob;
    if (!std::isfinite(rule.weight) || rule.weight < 0) {
      FailAt(route, key, "a weight must be a number >= 0");
    }
    if (rule.weight > kMaxWeight) FailAt(route, key, "a weight must be at most 1000000");
    std::string error;
    std::optional<Glob> glob = Glob::Compile(rule.glob, CaseFold::kNone, &error);
    if (!glob) FailAt(route, key, error);
    if (glob->MatchesEverything()) w.reads_attribute_ = false;
    w.rules_.push_back({std::move(*glob), ToUnits(rule.weight)});
  }
  w.attribute_ = route.Key<WeightAttributeConfig>(kWeightAttributeKey.name)
                     .attribute.value_or(kDefaultWeightAttribute);
  if (w.attribute_.empty()) FailAt(route, "weight_attribute", "must not be empty");
  return w;
}

int64_t Weights::Of(const Candidate& candidate) const {
  for (const Rule& r : rules_) {
    if (r.glob.Matches(candidate.id)) return r.units;
  }
  const std::string* value = candidate.attributes.Find(attribute_);
  return value == nullptr ? kWeightScale : ParseAttribute(*value);
}

void Weights::AddFields(json::PickFields* fields) const {
  if (reads_attribute_) fields->candidate_attributes = true;
}

}  // namespace cliproxy::scheduler

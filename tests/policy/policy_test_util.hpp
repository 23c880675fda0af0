// Helpers for the policy tests: compile a YAML configuration into a Policy, build pick
// requests, and read what a pick chose.
#ifndef CLIPROXY_TESTS_POLICY_POLICY_TEST_UTIL_HPP_
#define CLIPROXY_TESTS_POLICY_POLICY_TEST_UTIL_HPP_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/yaml_reader.hpp"
#include "cliproxy/types.hpp"
#include "scheduler/config.hpp"
#include "scheduler/policy.hpp"

namespace cliproxy::scheduler::testing {

inline std::shared_ptr<const Policy> Compile(const std::string& yaml,
                                             const Policy* previous = nullptr) {
  return Policy::Compile(ParseConfig(yaml), previous);
}

// The ConfigError message of compiling `yaml`, or "" if it compiles.
inline std::string CompileError(const std::string& yaml) {
  try {
    Compile(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

inline Candidate MakeCandidate(std::string id, std::map<std::string, std::string> attributes = {},
                               std::string status = "active") {
  Candidate c;
  c.id = std::move(id);
  c.provider = "claude";
  c.status = std::move(status);
  for (auto& [k, v] : attributes) c.attributes.Set(k, v);
  return c;
}

// A pick request built step by step.
class Request {
 public:
  explicit Request(const std::vector<std::string>& ids = {}) {
    request_.provider = "claude";
    request_.providers.push_back("claude");
    request_.model = "claude-sonnet-4";
    for (const std::string& id : ids) request_.candidates.push_back(MakeCandidate(id));
  }
  Request& Add(Candidate c) {
    request_.candidates.push_back(std::move(c));
    return *this;
  }
  Request& Model(std::string m) {
    request_.model = std::move(m);
    return *this;
  }
  Request& Provider(std::string p, std::vector<std::string> providers) {
    request_.provider = std::move(p);
    request_.providers.clear();
    for (auto& x : providers) request_.providers.push_back(std::move(x));
    return *this;
  }
  Request& Stream(bool s) {
    request_.stream = s;
    return *this;
  }
  Request& Header(std::string name, std::string value) {
    Slice<std::string> values;
    values.push_back(std::move(value));
    request_.options.headers.entries.emplace_back(std::move(name), std::move(values));
    return *this;
  }
  Request& Metadata(std::string key, std::string value) {
    request_.options.metadata.Set(std::move(key), AnyValue::String(std::move(value)));
    return *this;
  }
  Request& MetadataJson(std::string key, AnyValue::Kind kind, std::string text) {
    request_.options.metadata.Set(std::move(key), AnyValue{kind, std::move(text)});
    return *this;
  }
  const PickRequest& get() const { return request_; }
  PickRequest& mutable_request() { return request_; }
  operator const PickRequest&() const { return request_; }  // NOLINT

 private:
  PickRequest request_;
};

// The account a decision chose, or a marker for any other kind of decision.
inline std::string Chosen(const Decision& d) {
  switch (d.kind) {
    case Decision::Kind::kAuth:
      return d.auth_id;
    case Decision::Kind::kDelegate:
      return "<delegate " + d.delegate + ">";
    case Decision::Kind::kError:
      return "<error " + d.error.code + ">";
    case Decision::Kind::kUnhandled:
      return "<unhandled>";
  }
  return "<?>";
}

inline std::string PickId(const Policy& policy, const PickRequest& request) {
  return Chosen(policy.Pick(request));
}

inline std::vector<std::string> Ids(const std::string& prefix, int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    std::string num = std::to_string(i);
    ids.push_back(prefix + std::string(num.size() < 2 ? 2 - num.size() : 0, '0') + num);
  }
  return ids;
}

}  // namespace cliproxy::scheduler::testing

#endif  // CLIPROXY_TESTS_POLICY_POLICY_TEST_UTIL_HPP_

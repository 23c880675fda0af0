// The text Go writes back for a value it decoded into an `any`: numbers as float64, objects
// as maps (keys sorted, the last duplicate wins), strings with invalid UTF-8 replaced and
// escaped as Go escapes them. A template over the RapidJSON value type, so that this header
// needs no RapidJSON include.
//
// Thread-safety: pure function.
#ifndef CLIPROXY_SRC_SDK_ANY_CANONICAL_HPP_
#define CLIPROXY_SRC_SDK_ANY_CANONICAL_HPP_

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cliproxy/json.hpp"
#include "sdk/go_text.hpp"

namespace cliproxy::json::internal {

// Iterative: a value may nest as deep as the parser allows (10000), far more than a
// thread's stack should be asked to hold in recursive calls.
template <class JsonValue>
void AppendCanonical(const JsonValue& root, std::string* out) {
  struct Open {
    const JsonValue* container;
    // Objects: the members to write, sorted by key, only the last of each duplicate.
    std::vector<std::pair<std::string, const JsonValue*>> members;
    size_t next = 0;
  };
  std::vector<Open> open;
  // Writes a scalar, or the opening of a container (and remembers it).
  auto begin = [&](const JsonValue& v) {
    if (v.IsNull()) {
      out->append("null");
    } else if (v.IsFalse()) {
      out->append("false");
    } else if (v.IsTrue()) {
      out->append("true");
    } else if (v.IsNumber()) {
      AppendGoFloat(v.IsUint64()  ? static_cast<double>(v.GetUint64())
                    : v.IsInt64() ? static_cast<double>(v.GetInt64())
                                  : v.GetDouble(),
                    out);
    } else if (v.IsString()) {
      AppendQuoted(out, std::string_view(v.GetString(), v.GetStringLength()));
    } else if (v.IsArray()) {
      out->push_back('[');
      open.push_back({&v, {}, 0});
    } else {
      out->push_back('{');
      std::vector<std::pair<std::string, const JsonValue*>> members;
      members.reserve(v.MemberCount());
      for (const auto& m : v.GetObject()) {
        std::string key;
        AssignGoString(std::string_view(m.name.GetString(), m.name.GetStringLength()), &key);
        members.emplace_back(std::move(key), &m.value);
      }
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      size_t kept = 0;
      for (size_t i = 0; i < members.size(); ++i) {
        if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
        if (kept != i) members[kept] = std::move(members[i]);
        ++kept;
      }
      members.resize(kept);
      open.push_back({&v, std::move(members), 0});
    }
  };
  begin(root);
  while (!open.empty()) {
    Open& top = open.back();
    const JsonValue* next = nullptr;
    if (top.container->IsArray()) {
      if (top.next == top.container->Size()) {
        out->push_back(']');
        open.pop_back();
        continue;
      }
      if (top.next > 0) out->push_back(',');
      next = &(*top.container)[static_cast<decltype(top.container->Size())>(top.next++)];
    } else {
      if (top.next == top.members.size()) {
        out->push_back('}');
        open.pop_back();
        continue;
      }
      if (top.next > 0) out->push_back(',');
      AppendQuoted(out, top.members[top.next].first);
      out->push_back(':');
      next = top.members[top.next++].second;
    }
    begin(*next);  // may grow `open`: `top` is not used after this
  }
}

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_ANY_CANONICAL_HPP_

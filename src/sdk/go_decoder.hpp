// GoDecoder: walks a parsed RapidJSON tree into the wire types with the rules of Go's
// encoding/json (see cliproxy/json.hpp for the list). Passing a null output pointer
// type-checks a value without storing it. For bodies with raw or special parts (the
// envelope, the lifecycle request, host.log); whole wire structs decode faster, without a
// tree, through stream_decoder.hpp.
#ifndef CLIPROXY_SRC_SDK_GO_DECODER_HPP_
#define CLIPROXY_SRC_SDK_GO_DECODER_HPP_

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sdk/go_text.hpp"
#include "sdk/wire_fields.hpp"

namespace cliproxy::json::internal {

using Value = rapidjson::GenericValue<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>;
using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>>;

// Parses `body` (a full JSON text, nothing after it) into `doc` with the syntax rules of
// Go's scanner: a NUL byte or nesting deeper than 10000 is an error, lone surrogate escapes
// become U+FFFD. `scratch` may hold a rewritten copy of `body` that `doc` refers to, so it
// must outlive `doc`. Returns an empty string or the syntax error ("invalid JSON at byte N:
// ..." or "unexpected end of JSON input").
std::string ParseJson(std::string_view body, std::string* scratch, Document* doc);

// Copies a JSON string into `out`, replacing invalid UTF-8 with U+FFFD as Go does.
void AssignGoString(const Value& v, std::string* out);

// "string", "number", "object", ... as Go names JSON kinds in its errors.
const char* JsonKindName(const Value& v);

// A number value as text, for error messages.
std::string NumberText(const Value& v);

class GoDecoder {
 public:
  static constexpr size_t kLinearMapLimit = 32;

  explicit GoDecoder(const PickFields* want = nullptr) : want_(want) {}

  // After a failed Decode: "<path>: <what>", e.g. "Candidates[2].Priority: ...".
  std::string ErrorMessage() const;

  bool Decode(const Value& v, std::string* out);
  bool Decode(const Value& v, bool* out);
  bool Decode(const Value& v, int64_t* out);
  bool Decode(const Value& v, AnyValue* out);

  template <class T>
  bool Decode(const Value& v, Slice<T>* out) {
    if (v.IsNull()) {
      if (out) {
        out->clear();
        out->empty_not_null = false;
      }
      return true;
    }
    if (!v.IsArray()) return TypeError(v, "array");
    size_t i = 0;
    for (const Value& item : v.GetArray()) {
      T* slot = nullptr;
      if (out) {
        if (i >= out->size()) out->emplace_back();
        slot = &(*out)[i];
      }
      if (!Decode(item, slot)) return WithinIndex(i);
      ++i;
    }
    if (out) {
      out->resize(i);
      out->empty_not_null = (i == 0);
    }
    return true;
  }

  template <class V>
  bool Decode(const Value& v, FlatMap<V>* out) {
    if (v.IsNull()) {
      if (out) out->Clear();
      return true;
    }
    if (!v.IsObject()) return TypeError(v, "object");
    if (out && out->entries.empty()) out->empty_not_null = true;
    // FlatMap::Set is a linear scan; a large object gets a hash index instead, so that a
    // body with many keys costs linear time.
    const bool indexed = out && v.MemberCount() + out->size() > kLinearMapLimit;
    std::unordered_map<std::string, size_t> index;
    if (indexed) {
      for (size_t i = 0; i < out->entries.size(); ++i) index.emplace(out->entries[i].first, i);
    }
    for (const auto& member : v.GetObject()) {
      if (!out) {
        if (!Decode(member.value, static_cast<V*>(nullptr))) return WithinKey(member.name);
        continue;
      }
      V value{};  // Go decodes each map value into a fresh zero value
      if (!Decode(member.value, &value)) return WithinKey(member.name);
      std::string key;
      AssignGoString(member.name, &key);
      if (!indexed) {
        out->Set(std::move(key), std::move(value));
        continue;
      }
      auto [it, inserted] = index.emplace(key, out->entries.size());
      if (inserted) {
        out->entries.emplace_back(std::move(key), std::move(value));
      } else {
        out->entries[it->second].second = std::move(value);
      }
    }
    return true;
  }

  template <WireStruct T>
  bool Decode(const Value& v, T* out) {
    if (v.IsNull()) return true;  // null leaves a struct untouched
    if (!v.IsObject()) return TypeError(v, "object");
    for (const auto& member : v.GetObject()) {
      std::string_view key(member.name.GetString(), member.name.GetStringLength());
      bool matched = false;
      bool ok = true;
      std::apply(
          [&](const auto&... field) {
            ((!matched && GoFoldEquals(key, field.name)
                  ? (matched = true, ok = DecodeField(member.value, out, field))
                  : false),
             ...);
          },
          FieldsOf<T>::value);
      if (!ok) return false;
    }
    return true;
  }

 private:
  template <class T, class M>
  bool DecodeField(const Value& v, T* out, const Field<T, M>& field) {
    M* slot = nullptr;
    if (out && (field.want == nullptr || want_ == nullptr || want_->*field.want)) {
      slot = &(out->*field.member);
    }
    if (Decode(v, slot)) return true;
    return Within(std::string(".") + field.name);
  }

  bool TypeError(const Value& v, const char* expected);
  bool Within(const std::string& segment);  // prefixes the error path; returns false
  bool WithinKey(const Value& key);
  bool WithinIndex(size_t index);

  const PickFields* want_;
  std::string path_;
  std::string what_;
};

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_GO_DECODER_HPP_

// Encoding of the wire types, byte for byte as Go's json.Marshal would write them.
#include <algorithm>
#include <concepts>
#include <type_traits>

#include "cliproxy/base64.hpp"
#include "cliproxy/json.hpp"
#include "sdk/utf8.hpp"
#include "sdk/wire_fields.hpp"

namespace cliproxy::json {
namespace {

using internal::FieldsOf;
using internal::WireStruct;

constexpr char kHex[] = "0123456789abcdef";

void AppendUnicodeEscape(std::string* out, unsigned code) {
  out->append("\\u");
  out->push_back(kHex[(code >> 12) & 0xF]);
  out->push_back(kHex[(code >> 8) & 0xF]);
  out->push_back(kHex[(code >> 4) & 0xF]);
  out->push_back(kHex[code & 0xF]);
}

// Go's omitempty test for the member types that carry it: false, "", a nil or empty slice
// or map.
template <std::same_as<bool> Flag>  // not an integer converted to bool
bool IsEmptyValue(Flag b) {
  return !b;
}
bool IsEmptyValue(const std::string& s) { return s.empty(); }
template <class T>
bool IsEmptyValue(const Slice<T>& items) {
  return items.empty();
}
template <class V>
bool IsEmptyValue(const FlatMap<V>& map) {
  return map.empty();
}

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  void Write(const std::string& s) { AppendQuoted(out_, s); }
  void Write(bool b) { out_->append(b ? "true" : "false"); }
  void Write(int64_t n) { out_->append(std::to_string(n)); }
  void Write(const AnyValue& v) {
    if (v.kind == AnyValue::Kind::kString) {
      AppendQuoted(out_, v.text);
    } else if (v.kind == AnyValue::Kind::kNull || v.text.empty()) {
      out_->append("null");
    } else {
      out_->append(v.text);
    }
  }

  template <class T>
  void Write(const Slice<T>& items) {
    if (items.is_null()) {
      out_->append("null");
      return;
    }
    out_->push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out_->push_back(',');
      Write(items[i]);
    }
    out_->push_back(']');
  }

  template <class V>
  void Write(const FlatMap<V>& map) {
    if (map.is_null()) {
      out_->append("null");
      return;
    }
    std::vector<const std::pair<std::string, V>*> sorted;
    sorted.reserve(map.size());
    for (const auto& entry : map) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out_->push_back('{');
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i) out_->push_back(',');
      AppendQuoted(out_, sorted[i]->first);
      out_->push_back(':');
      Write(sorted[i]->second);
    }
    out_->push_back('}');
  }

  // As every envelope has it: `retryable` only when set, `http_status` only when positive.
  void Write(const PluginError& error) {
    out_->append("{\"code\":");
    AppendQuoted(out_, error.code);
    out_->append(",\"message\":");
    AppendQuoted(out_, error.message);
    if (error.has_retryable)
      out_->append(error.retryable ? ",\"retryable\":true" : ",\"retryable\":false");
    if (error.http_status > 0)
      out_->append(",\"http_status\":" + std::to_string(error.http_status));
    out_->push_back('}');
  }

  template <WireStruct T>
  void Write(const T& value) {
    out_->push_back('{');
    bool first = true;
    std::apply(
        [&](const auto&... field) {
          (WriteField(field, value.*field.member, &first, FlagSet(value, field)), ...);
        },
        FieldsOf<T>::value);
    out_->push_back('}');
  }

  // `value` as if its member `replaced` held `replacement`, without copying `value`.
  template <WireStruct T, class R>
  void WriteReplacing(const T& value, R T::*replaced, const R& replacement) {
    out_->push_back('{');
    bool first = true;
    std::apply(
        [&](const auto&... field) {
          (WriteField(field, MemberOr(value, field, replaced, replacement), &first,
                      FlagSet(value, field)),
           ...);
        },
        FieldsOf<T>::value);
    out_->push_back('}');
  }

 private:
  template <class T, class M, class R>
  static const M& MemberOr(const T& value, const internal::Field<T, M>& field, R T::*replaced,
                           const R& replacement) {
    if constexpr (std::is_same_v<M, R>) {
      if (field.member == replaced) return replacement;
    }
    return value.*field.member;
  }

  // Whether the member's `flag` (when it has one) is set.
  template <class T, class M>
  static bool FlagSet(const T& value, const internal::Field<T, M>& field) {
    return field.flag == nullptr || value.*field.flag;
  }

  template <class T, class M>
  void WriteField(const internal::Field<T, M>& field, const M& member, bool* first, bool flag_set) {
    if (field.omit_empty && !flag_set) return;
    if constexpr (requires { IsEmptyValue(member); }) {
      if (field.omit_empty && IsEmptyValue(member)) return;
    }
    if (!*first) out_->push_back(',');
    *first = false;
    AppendQuoted(out_, field.name);
    out_->push_back(':');
    if constexpr (std::is_same_v<M, std::string>) {
      if (field.codec == internal::Codec::kGoBytes) {
        // Go's []byte: base64; a std::string cannot tell nil from empty, and nil is Go's
        // zero value.
        if (member.empty()) {
          out_->append("null");
        } else {
          AppendQuoted(out_, base64::Encode(member));
        }
        return;
      }
    }
    Write(member);
  }

  std::string* out_;
};

template <class T>
std::string EncodeValue(const T& value) {
  std::string out;
  Encoder(&out).Write(value);
  return out;
}

}  // namespace

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8::SequenceLength(s, i);
      if (n == 0) {
        out->append("\\ufffd");
        ++i;
        continue;
      }
      // U+2028 and U+2029 break JavaScript string literals; Go escapes them.
      if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
        AppendUnicodeEscape(out, 0x2028 + (static_cast<unsigned char>(s[i + 2]) - 0xA8));
      } else {
        out->append(s.data() + i, n);
      }
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '<':
      case '>':
      case '&':
        AppendUnicodeEscape(out, c);
        break;
      default:
        if (c < 0x20) {
          AppendUnicodeEscape(out, c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendQuoted(&out, s);
  return out;
}

std::string EncodePickRequest(const PickRequest& request) { return EncodeValue(request); }
std::string EncodePickRequest(const PickRequest& request, const PluginMetadata& plugin) {
  std::string out;
  Encoder(&out).WriteReplacing(request, &PickRequest::plugin, plugin);
  return out;
}
std::string EncodeUsageRecord(const UsageRecord& record) { return EncodeValue(record); }
std::string EncodeRegistration(const Registration& registration) {
  return EncodeValue(registration);
}
std::string EncodePickResult(const PickResult& result) { return EncodeValue(result); }
std::string EncodeExplanation(const Explanation& explanation) { return EncodeValue(explanation); }
std::string EncodeLogRequest(const LogRequest& request) { return EncodeValue(request); }
std::string EncodeManagementRegistrationRequest(const ManagementRegistrationRequest& request) {
  return EncodeValue(request);
}
std::string EncodeManagementRegistration(const ManagementRegistration& registration) {
  return EncodeValue(registration);
}
std::string EncodeManagementRequest(const ManagementRequest& request) {
  return EncodeValue(request);
}
std::string EncodeManagementResponse(const ManagementResponse& response) {
  return EncodeValue(response);
}

namespace {

template <class M>
CapabilityKey KeyOf(const internal::Field<Capabilities, M>& field) {
  if constexpr (std::is_same_v<M, bool>) {
    return {field.name, CapabilityKind::kFlag};
  } else if constexpr (std::is_same_v<M, std::string>) {
    return {field.name, CapabilityKind::kString};
  } else {
    static_assert(std::is_same_v<M, Slice<std::string>>, "a capability of an unknown kind");
    return {field.name, CapabilityKind::kStringList};
  }
}

template <class M>
void AddIfSet(const Capabilities& capabilities, const internal::Field<Capabilities, M>& field,
              std::vector<std::string_view>* set) {
  if constexpr (std::is_same_v<M, bool>) {
    if (capabilities.*field.member) set->push_back(field.name);
  }
}

}  // namespace

const std::vector<CapabilityKey>& CapabilityKeys() {
  static const std::vector<CapabilityKey> keys =
      std::apply([](const auto&... field) { return std::vector<CapabilityKey>{KeyOf(field)...}; },
                 FieldsOf<Capabilities>::value);
  return keys;
}

std::vector<std::string_view> SetCapabilityFlags(const Capabilities& capabilities) {
  std::vector<std::string_view> set;
  std::apply([&](const auto&... field) { (AddIfSet(capabilities, field, &set), ...); },
             FieldsOf<Capabilities>::value);
  return set;
}

std::string EncodeLifecycleRequest(const LifecycleRequest& request) {
  std::string out = "{\"config_yaml\":";
  AppendQuoted(&out, base64::Encode(request.config_yaml));
  out += ",\"schema_version\":" + std::to_string(request.schema_version) + "}";
  return out;
}

std::string OkEnvelope(std::string_view result_json) {
  std::string out;
  out.reserve(result_json.size() + 24);
  out.append("{\"ok\":true,\"result\":");
  out.append(result_json);
  out.push_back('}');
  return out;
}

std::string ErrorEnvelope(const PluginError& error) {
  std::string out = "{\"ok\":false,\"error\":";
  Encoder(&out).Write(error);
  out.push_back('}');
  return out;
}

}  // namespace cliproxy::json

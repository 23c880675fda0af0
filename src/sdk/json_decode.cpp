// Decoding of the wire types: structs stream straight into place (stream_decoder); the
// envelope and the lifecycle request, which keep raw or special parts, are parsed into a
// tree and walked with GoDecoder.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "cliproxy/base64.hpp"
#include "cliproxy/json.hpp"
#include "sdk/go_decoder.hpp"
#include "sdk/stream_decoder.hpp"

namespace cliproxy::json {
namespace {

using internal::Document;
using internal::GoDecoder;
using internal::Value;

// A document whose allocator starts on the stack: small bodies parse without malloc.
class ParsedBody {
 public:
  ParsedBody() : allocator_(stack_.data(), stack_.size()), doc_(&allocator_) {}
  std::string Parse(std::string_view body) { return internal::ParseJson(body, &scratch_, &doc_); }
  const Value& root() const { return doc_; }

 private:
  std::array<char, 8192> stack_;
  rapidjson::MemoryPoolAllocator<> allocator_;
  Document doc_;
  std::string scratch_;
};

// Go's []byte: a base64 string, an array of numbers 0..255, or null.
DecodeStatus DecodeBytes(const Value& v, std::string* out) {
  if (v.IsNull()) {
    out->clear();
    return {};
  }
  if (v.IsString()) {
    std::string error;
    std::string_view text(v.GetString(), v.GetStringLength());
    if (!base64::Decode(text, out, &error)) return {"config_yaml: " + error};
    return {};
  }
  if (v.IsArray()) {
    // Go decodes an array into the existing slice element by element: a null element
    // leaves the byte that is already there (zero for a new one).
    size_t i = 0;
    for (const Value& item : v.GetArray()) {
      if (i >= out->size()) out->push_back('\0');
      if (!item.IsNull()) {
        if (!item.IsUint() || item.GetUint() > 255) {
          std::string got = internal::JsonKindName(item);
          if (item.IsNumber()) got += " " + internal::NumberText(item);
          return {"config_yaml[" + std::to_string(i) + "]: cannot unmarshal " + got +
                  " into a byte (0..255)"};
        }
        (*out)[i] = static_cast<char>(item.GetUint());
      }
      ++i;
    }
    out->resize(i);
    return {};
  }
  return {std::string("config_yaml: cannot unmarshal ") + internal::JsonKindName(v) +
          " into base64 bytes (a string)"};
}

}  // namespace

DecodeStatus DecodePickRequest(std::string_view body, PickRequest* out, const PickFields& want) {
  return internal::DecodeStream(body, out, "a pick request (object)", &want);
}

DecodeStatus DecodeLifecycleRequest(std::string_view body, LifecycleRequest* out) {
  if (body.empty()) return {};  // the host may send nothing: an empty config
  ParsedBody parsed;
  if (std::string err = parsed.Parse(body); !err.empty()) return {err};
  const Value& root = parsed.root();
  if (root.IsNull()) return {};
  if (!root.IsObject()) {
    return {std::string("cannot unmarshal ") + internal::JsonKindName(root) +
            " into a lifecycle request (object)"};
  }
  GoDecoder decoder;
  for (const auto& member : root.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (internal::GoFoldEquals(key, "config_yaml")) {
      if (DecodeStatus s = DecodeBytes(member.value, &out->config_yaml); !s) return s;
    } else if (internal::GoFoldEquals(key, "schema_version")) {
      if (!decoder.Decode(member.value, &out->schema_version)) {
        return {"schema_version: " + decoder.ErrorMessage()};
      }
    }
  }
  return {};
}

DecodeStatus DecodeUsageRecord(std::string_view body, UsageRecord* out) {
  return internal::DecodeStream(body, out, "a usage record (object)");
}

DecodeStatus DecodeEnvelope(std::string_view body, Envelope* out) {
  ParsedBody parsed;
  if (std::string err = parsed.Parse(body); !err.empty()) return {err};
  const Value& root = parsed.root();
  if (root.IsNull()) return {};  // as in Go, `null` leaves the envelope at its zero value
  if (!root.IsObject()) {
    return {std::string("cannot unmarshal ") + internal::JsonKindName(root) +
            " into an envelope (object)"};
  }
  GoDecoder decoder;
  for (const auto& member : root.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    const Value& v = member.value;
    if (internal::GoFoldEquals(key, "ok")) {
      if (!decoder.Decode(v, &out->ok)) return {"ok: " + decoder.ErrorMessage()};
    } else if (internal::GoFoldEquals(key, "result")) {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      v.Accept(w);
      out->result.assign(buf.GetString(), buf.GetSize());
    } else if (internal::GoFoldEquals(key, "error")) {
      if (v.IsNull()) {
        out->has_error = false;
        out->error = PluginError{};
        continue;
      }
      if (!decoder.Decode(v, &out->error)) return {"error: " + decoder.ErrorMessage()};
      out->has_error = true;
      for (const auto& field : v.GetObject()) {
        std::string_view name(field.name.GetString(), field.name.GetStringLength());
        if (internal::GoFoldEquals(name, "retryable")) {
          if (!decoder.Decode(field.value, &out->error.retryable)) {
            return {"error.retryable: " + decoder.ErrorMessage()};
          }
          out->error.has_retryable = true;
        } else if (internal::GoFoldEquals(name, "http_status")) {
          int64_t status = 0;
          if (!decoder.Decode(field.value, &status)) {
            return {"error.http_status: " + decoder.ErrorMessage()};
          }
          out->error.http_status = static_cast<int>(status);
        }
      }
    }
  }
  return {};
}

DecodeStatus DecodeRegistration(std::string_view result, Registration* out) {
  return internal::DecodeStream(result, out, "a registration (object)");
}

DecodeStatus DecodePickResult(std::string_view result, PickResult* out) {
  return internal::DecodeStream(result, out, "a pick result (object)");
}

}  // namespace cliproxy::json

// Decoding of host.log requests (the one callback body a host reads), with the same Go
// rules as every other wire type: see cliproxy/json.hpp.
#include "cliproxy/json.hpp"
#include "sdk/go_decoder.hpp"

namespace cliproxy::json {

DecodeStatus DecodeLogRequest(std::string_view body, LogRequest* out) {
  internal::Document doc;
  std::string scratch;
  if (std::string error = internal::ParseJson(body, &scratch, &doc); !error.empty()) {
    return {error};
  }
  if (!doc.IsNull() && !doc.IsObject()) {
    return {std::string("cannot unmarshal ") + internal::JsonKindName(doc) +
            " into a log request (object)"};
  }
  internal::GoDecoder decoder;
  if (!decoder.Decode(doc, out)) return {decoder.ErrorMessage()};
  return {};
}

}  // namespace cliproxy::json

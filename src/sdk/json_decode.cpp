// Decoding of the wire types: every body streams straight into its struct
// (stream_decoder), with the field tables of wire_fields.hpp.
#include "cliproxy/json.hpp"
#include "sdk/stream_decoder.hpp"

namespace cliproxy::json {

DecodeStatus DecodePickRequest(std::string_view body, PickRequest* out, const PickFields& want) {
  return internal::DecodeStream(body, out, "a pick request (object)", &want);
}

DecodeStatus DecodeLifecycleRequest(std::string_view body, LifecycleRequest* out) {
  if (body.empty()) return {};  // the host may send nothing: an empty config
  return internal::DecodeStream(body, out, "a lifecycle request (object)");
}

DecodeStatus DecodeUsageRecord(std::string_view body, UsageRecord* out) {
  return internal::DecodeStream(body, out, "a usage record (object)");
}

DecodeStatus DecodeLogRequest(std::string_view body, LogRequest* out) {
  return internal::DecodeStream(body, out, "a log request (object)");
}

DecodeStatus DecodeEnvelope(std::string_view body, Envelope* out) {
  return internal::DecodeStream(body, out, "an envelope (object)");
}

DecodeStatus DecodeRegistration(std::string_view result, Registration* out) {
  return internal::DecodeStream(result, out, "a registration (object)");
}

DecodeStatus DecodePickResult(std::string_view result, PickResult* out) {
  return internal::DecodeStream(result, out, "a pick result (object)");
}

DecodeStatus DecodeExplanation(std::string_view result, Explanation* out) {
  return internal::DecodeStream(result, out, "an explanation (object)");
}

DecodeStatus DecodeManagementRegistrationRequest(std::string_view body,
                                                 ManagementRegistrationRequest* out) {
  if (body.empty()) return {};  // nothing to learn: an empty request
  return internal::DecodeStream(body, out, "a management registration request (object)");
}

DecodeStatus DecodeManagementRegistration(std::string_view result, ManagementRegistration* out) {
  return internal::DecodeStream(result, out, "a management registration (object)");
}

DecodeStatus DecodeManagementRequest(std::string_view body, ManagementRequest* out) {
  return internal::DecodeStream(body, out, "a management request (object)");
}

DecodeStatus DecodeManagementResponse(std::string_view result, ManagementResponse* out) {
  return internal::DecodeStream(result, out, "a management response (object)");
}

}  // namespace cliproxy::json

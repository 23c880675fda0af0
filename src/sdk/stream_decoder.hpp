// The streaming decoder: reads a JSON text once and writes each value straight into the
// wire struct it belongs to, with the rules of Go's encoding/json (cliproxy/json.hpp). No
// document tree is built; values the caller does not want (PickFields) and unknown keys
// are checked as they stream past and never stored. Only an `any` object or array is
// gathered into a small tree, because Go writes its keys back sorted. Members read in a
// special way (Go's []byte, raw JSON, late members, Go pointers) are Field options in
// wire_fields.hpp.
//
// Same outcome as parsing first and walking the tree after: a syntax error anywhere wins
// over a type error (the text is read to its end), and the first type error in document
// order is the one reported, with its path ("Candidates[2].Priority: ..."). A syntax error
// leaves the output as it was; after a type error, what was stored before it stays.
//
// Thread-safety: reentrant; a decode keeps no state beyond the call.
#ifndef CLIPROXY_SRC_SDK_STREAM_DECODER_HPP_
#define CLIPROXY_SRC_SDK_STREAM_DECODER_HPP_

#include <string_view>

#include "cliproxy/json.hpp"

namespace cliproxy::json::internal {

// Which reader reads the text: kAuto is the decoder's contract (simdjson first, JsonReader
// for what it refuses or what fails); the others serve tests and fuzzing, which check that
// both paths agree. kFastOnly fails with kFastPathRefused where kAuto would read again.
enum class DecodePath { kAuto, kExactOnly, kFastOnly };
inline constexpr const char* kFastPathRefused = "fast path refused";

// Decodes the JSON text `body` into `*out`. A root that is neither an object nor `null`
// fails as "cannot unmarshal <kind> into <go_type>". `want` (may be null: everything)
// says which PickFields-tagged members to store. Instantiated for PickRequest,
// UsageRecord, Registration, PickResult, LifecycleRequest, LogRequest and Envelope.
template <class T>
DecodeStatus DecodeStream(std::string_view body, T* out, const char* go_type,
                          const PickFields* want = nullptr, DecodePath path = DecodePath::kAuto);

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_STREAM_DECODER_HPP_

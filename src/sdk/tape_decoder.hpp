// The fast path's first try: simdjson's document decoded straight into the wire struct,
// led by the type tables (wire_type_table.hpp) instead of by parse events. Each member is
// looked up once, its value's type checked on the tape and stored (or only checked, when
// the caller does not want it: PickFields); what no member reads (unknown keys, `any`
// values not stored) is skipped whole.
//
// It handles the shapes real bodies have and gives up on anything else, before Go's
// rules would need more than "store the value": a member repeated (also by another
// spelling), a member with a Field option (late, flag), a value that does not fit its
// type (the error has to be reported with its path), Go's []byte, raw JSON, an `int`
// member, and an object or array stored into an `any`. Giving up leaves the output holding
// part of the text: the caller restores it and walks the events (simdjson_walk.hpp) of
// the same document, then the exact path; their outcome is the contract. For every text
// this accepts, the decoded value is the one those give (the fuzz target json_paths
// compares every accepted body with the exact path).
//
// Thread-safety: reentrant; a decode keeps no state beyond the call.
#ifndef CLIPROXY_SRC_SDK_TAPE_DECODER_HPP_
#define CLIPROXY_SRC_SDK_TAPE_DECODER_HPP_

#include <simdjson.h>

#include "cliproxy/json.hpp"
#include "sdk/wire_type_table.hpp"

namespace cliproxy::json::internal {

// The text must be one simdjson accepted (its UTF-8 validated) without an escaped
// surrogate (MayHoldSurrogateEscape, go_text.hpp), so that every string is valid UTF-8.
// Decodes `root` into `*out`, a value of `type`; `want` (may be null: everything) says
// which PickFields-tagged members are stored. False: given up (see above), `*out` partly
// written.
bool DecodeTape(simdjson::dom::element root, const Type& type, void* out, const PickFields* want);

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_TAPE_DECODER_HPP_

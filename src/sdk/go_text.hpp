// Go's encoding/json text rules that do not depend on a parser: key folding, string
// sanitizing, float64 formatting and spotting surrogate escapes, for the decoder
// (stream_decoder) and for the `any` values it writes back (any_canonical.hpp).
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_SRC_SDK_GO_TEXT_HPP_
#define CLIPROXY_SRC_SDK_GO_TEXT_HPP_

#include <cstddef>
#include <string>
#include <string_view>

namespace cliproxy::json::internal {

// Go's scanner refuses a document nested deeper than this, wherever the nesting is.
inline constexpr int kMaxDepth = 10000;

// True if `key` equals the ASCII field name under Go's case folding.
bool GoFoldEquals(std::string_view key, std::string_view field_name);

// Copies a JSON string's bytes into `out`, replacing invalid UTF-8 with U+FFFD as Go does.
void AssignGoString(std::string_view raw, std::string* out);

// Go's formatting of a float64 as encoding/json writes it.
void AppendGoFloat(double f, std::string* out);

// True if `s` may hold a \u escape of a UTF-16 surrogate (false positives are fine): the
// fast path leaves such texts to JsonReader, which writes lone ones as U+FFFD as Go does.
bool MayHoldSurrogateEscape(std::string_view s);

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_GO_TEXT_HPP_

// cliproxy/base64.hpp -- base64 as Go's encoding/base64.StdEncoding speaks it.
//
// The host sends `config_yaml` as Go's encoding of []byte: the standard alphabet with
// padding. Decoding is strict where Go is strict (alphabet, padding, nothing after the
// padding) and lenient where Go is lenient ('\r' and '\n' are skipped anywhere).
//
// Thread-safety: pure functions.
#ifndef CLIPROXY_BASE64_HPP_
#define CLIPROXY_BASE64_HPP_

#include <string>
#include <string_view>

namespace cliproxy::base64 {

std::string Encode(std::string_view bytes);

// Decodes `text` into `*out`. On failure returns false and sets `*error` to a message
// naming the offending input byte ("illegal base64 data at input byte 12").
bool Decode(std::string_view text, std::string* out, std::string* error);

}  // namespace cliproxy::base64

#endif  // CLIPROXY_BASE64_HPP_

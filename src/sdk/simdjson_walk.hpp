// The fast path of the decoder: simdjson (a maintained, continuously fuzzed parser)
// validates the whole text and builds its tape, and WalkSimdjson hands the tape to the
// same handler as JsonReader (json_reader.hpp), event for event.
//
// simdjson refuses some texts that Go accepts (invalid UTF-8 in strings, escaped lone
// surrogates, integers beyond 64 bits, nesting deeper than its limit) and reports errors
// without the offsets the decoder's messages name. The caller reads every text that this
// path does not accept, and every text whose decode fails, again with JsonReader, whose
// outcome is the contract; for the texts this path accepts the events are the same (a
// fuzz target checks it).
//
// Thread-safety: a parser is used by one call at a time (see ParserPool in the .cpp).
#ifndef CLIPROXY_SRC_SDK_SIMDJSON_WALK_HPP_
#define CLIPROXY_SRC_SDK_SIMDJSON_WALK_HPP_

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "sdk/json_number.hpp"

namespace cliproxy::json::internal {

// What a handler lets the walker leave out of the events (StreamDecoder::DiscardNext).
enum class Discard : uint8_t { kNo, kAnything, kStringsOrNull };

// A number of the tape as the exact path reads its literal (json_number.hpp).
inline JsonNumber NumberOf(simdjson::dom::element e) {
  JsonNumber n;
  switch (e.type()) {
    case simdjson::dom::element_type::INT64: {
      const int64_t v = e.get_int64().value_unsafe();
      if (v < 0) {
        n.kind = JsonNumber::Kind::kInt;
        n.i = v;
      } else {
        n.u = static_cast<uint64_t>(v);
      }
      break;
    }
    case simdjson::dom::element_type::UINT64:
      n.u = e.get_uint64().value_unsafe();
      break;
    default:
      n.kind = JsonNumber::Kind::kDouble;
      n.d = e.get_double().value_unsafe();
      break;
  }
  return n;
}

// Whether every value directly inside `container` is a string or null.
template <class Container>
bool AllStringsOrNull(const Container& container) {
  for (auto child : container) {
    simdjson::dom::element value;
    if constexpr (std::is_same_v<Container, simdjson::dom::object>) {
      value = child.value;
    } else {
      value = child;
    }
    const auto type = value.type();
    if (type != simdjson::dom::element_type::STRING &&
        type != simdjson::dom::element_type::NULL_VALUE) {
      return false;
    }
  }
  return true;
}

// Walks `e` into `handler`; false if the handler stopped. A container the handler would
// read into nothing and accept whatever it holds is not walked (Handler::DiscardNext): a
// pick body's candidate attributes and metadata, when no route reads them, cost a type
// check instead of an event per value.
template <class Handler>
bool WalkSimdjson(simdjson::dom::element e, Handler& handler) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      const simdjson::dom::array array = e.get_array().value_unsafe();
      if (const Discard d = handler.DiscardNext(false);
          d == Discard::kAnything || (d == Discard::kStringsOrNull && AllStringsOrNull(array))) {
        handler.Discarded();
        return true;
      }
      if (!handler.StartArray(array.size())) return false;
      size_t count = 0;
      for (simdjson::dom::element child : array) {
        if (!WalkSimdjson(child, handler)) return false;
        ++count;
      }
      return handler.EndArray(count);
    }
    case element_type::OBJECT: {
      const simdjson::dom::object object = e.get_object().value_unsafe();
      if (const Discard d = handler.DiscardNext(true);
          d == Discard::kAnything || (d == Discard::kStringsOrNull && AllStringsOrNull(object))) {
        handler.Discarded();
        return true;
      }
      if (!handler.StartObject()) return false;
      size_t count = 0;
      for (simdjson::dom::key_value_pair member : object) {
        if (!handler.Key(member.key)) return false;
        if (!WalkSimdjson(member.value, handler)) return false;
        ++count;
      }
      return handler.EndObject(count);
    }
    case element_type::STRING:
      return handler.String(e.get_string().value_unsafe());
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return handler.Number(NumberOf(e));
    case element_type::BOOL:
      return handler.Bool(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return handler.Null();
  }
  return false;
}

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_SIMDJSON_WALK_HPP_

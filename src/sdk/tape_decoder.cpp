#include "sdk/tape_decoder.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "sdk/go_text.hpp"
#include "sdk/json_number.hpp"
#include "sdk/simdjson_walk.hpp"

namespace cliproxy::json::internal {
namespace {

using simdjson::dom::element_type;

class TapeDecoder {
 public:
  explicit TapeDecoder(const PickFields* want) : want_(want) {}

  // `slot`: where the value goes; null: it is only checked. False: given up. The common
  // cases first, inline; the others out of line.
  bool Value(simdjson::dom::element e, const Type& type, void* slot) {
    const Kind kind = type.kind;
    // Unknown keys and `any` values not stored accept anything simdjson accepted.
    if (kind == Kind::kSkip || (kind == Kind::kAny && slot == nullptr)) return true;
    const element_type got = e.type();
    if (got == element_type::STRING && kind == Kind::kString) {
      // Valid UTF-8 (see the header): Go's replacement of invalid bytes has nothing to do.
      if (slot) static_cast<std::string*>(slot)->assign(e.get_string().value_unsafe());
      return true;
    }
    if (got == element_type::NULL_VALUE && slot == nullptr) return true;
    return OtherValue(e, got, type, slot);
  }

 private:
  [[gnu::noinline]] bool OtherValue(simdjson::dom::element e, element_type got, const Type& type,
                                    void* slot) {
    const Kind kind = type.kind;
    switch (got) {
      case element_type::OBJECT:
        if (kind == Kind::kStruct) return Struct(e.get_object().value_unsafe(), type, slot);
        if (kind == Kind::kMap) return Map(e.get_object().value_unsafe(), type, slot);
        return false;
      case element_type::ARRAY:
        return kind == Kind::kSlice && Slice(e.get_array().value_unsafe(), type, slot);
      case element_type::STRING:
        if (kind != Kind::kAny) return false;
        AssignAnyString(e.get_string().value_unsafe(), static_cast<AnyValue*>(slot));
        return true;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: {
        const JsonNumber n = NumberOf(e);
        if (kind == Kind::kInt && n.FitsInt64()) {
          if (slot) *static_cast<int64_t*>(slot) = n.AsInt64();
          return true;
        }
        if (kind != Kind::kAny) return false;
        AssignAnyNumber(n.AsDouble(), static_cast<AnyValue*>(slot));
        return true;
      }
      case element_type::BOOL:
        if (kind == Kind::kBool) {
          if (slot) *static_cast<bool*>(slot) = e.get_bool().value_unsafe();
          return true;
        }
        if (kind != Kind::kAny) return false;
        AssignAnyBool(e.get_bool().value_unsafe(), static_cast<AnyValue*>(slot));
        return true;
      case element_type::NULL_VALUE:
        // No struct here has a flag, nor a member late (Struct gave up on both).
        if (slot) AssignNull(type, slot);
        return true;
    }
    return false;
  }

  bool Struct(simdjson::dom::object object, const Type& type, void* out) {
    if (type.field_count > 64) return false;
    uint64_t seen = 0;
    size_t expected = 0;  // senders write members in declaration order
    for (simdjson::dom::key_value_pair member : object) {
      const FieldSlot* field = FindField(type, member.key, expected);
      if (field == nullptr) continue;  // unknown keys are ignored
      if (field->special) return false;
      const size_t index = static_cast<size_t>(field - type.fields);
      const uint64_t bit = uint64_t{1} << index;
      if ((seen & bit) != 0) return false;  // repeated: Go decodes it again into the first
      seen |= bit;
      expected = index + 1;
      const bool wanted = field->want == nullptr || want_ == nullptr || want_->*field->want;
      void* slot = out != nullptr && wanted ? field->member(out) : nullptr;
      if (!Value(member.value, *field->type, slot)) return false;
    }
    return true;
  }

  bool Map(simdjson::dom::object object, const Type& type, void* map) {
    const Type& element = *type.element;
    if (map == nullptr && element.kind == Kind::kString) {  // only the values' types matter
      for (auto it = object.begin(); it != object.end(); ++it) {
        const element_type got = it.value().type();
        if (got != element_type::STRING && got != element_type::NULL_VALUE) return false;
      }
      return true;
    }
    if (map == nullptr) {
      for (simdjson::dom::key_value_pair member : object) {
        if (!Value(member.value, element, nullptr)) return false;
      }
      return true;
    }
    type.begin_map(map);
    MapCursor cursor;
    for (simdjson::dom::key_value_pair member : object) {
      void* slot = type.begin_entry(map, member.key, &cursor, &indexes_);
      if (!Value(member.value, element, slot)) return false;
      type.end_entry(map, &cursor);
    }
    return true;
  }

  bool Slice(simdjson::dom::array array, const Type& type, void* slice) {
    const Type& element = *type.element;
    if (slice == nullptr) {
      for (simdjson::dom::element child : array) {
        if (!Value(child, element, nullptr)) return false;
      }
      return true;
    }
    if (type.reserve != nullptr) {
      if (const size_t size = array.size(); size > 0) {
        type.reserve(slice, std::min(size, kReserveLimit));
      }
    }
    size_t index = 0;
    for (simdjson::dom::element child : array) {
      if (!Value(child, element, type.element_at(slice, index))) return false;
      ++index;
    }
    type.end_slice(slice, index);
    return true;
  }

  const PickFields* want_;
  MapIndexes indexes_;
};

}  // namespace

bool DecodeTape(simdjson::dom::element root, const Type& type, void* out, const PickFields* want) {
  TapeDecoder decoder(want);
  return decoder.Value(root, type, out);
}

}  // namespace cliproxy::json::internal

// The decoder's type tables: what each wire type accepts, generated at compile time from the
// field tables of wire_fields.hpp (a Type per C++ type, a FieldSlot per struct member), and
// the lookup of a member by its JSON key with Go's case folding.
//
// Internal to the SDK's decoder (stream_decoder.cpp). Thread-safety: constant tables.
#ifndef CLIPROXY_SRC_SDK_WIRE_TYPE_TABLE_HPP_
#define CLIPROXY_SRC_SDK_WIRE_TYPE_TABLE_HPP_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cliproxy/base64.hpp"
#include "sdk/go_text.hpp"
#include "sdk/wire_fields.hpp"

namespace cliproxy::json::internal {

// Maps up to this size are searched linearly for a repeated key; larger ones get a hash
// index, so that a body with many keys costs linear time.
constexpr size_t kLinearMapLimit = 32;
constexpr size_t kFirstMapCapacity = 8;
// The most elements a slice reserves ahead of reading them: a reader's count covers values
// of any type, and an array of a million numbers where candidates are expected fails at
// its first element.
constexpr size_t kReserveLimit = 1024;

// --- what each wire type accepts: tables generated from wire_fields.hpp ----------------

// kInt is Go's int read into an int64_t, kInt32 the same read into an int (truncated);
// kGoBytes is Go's []byte in a std::string, kByte one element of it given as an array;
// kRawJson keeps a value's JSON text; kLate stands for a late member's value (Field::late).
enum class Kind : uint8_t {
  kSkip,
  kString,
  kBool,
  kInt,
  kInt32,
  kAny,
  kSlice,
  kMap,
  kStruct,
  kGoBytes,
  kByte,
  kRawJson,
  kLate
};

struct Type;

struct FieldSlot {
  std::string_view name;
  const Type* type;
  void* (*member)(void* object);
  bool PickFields::*want;
  bool late;
  bool fresh;
  bool* (*flag)(void* object);  // null: the field has no flag (Field::flag)
  bool special;                 // late or flag: Key() reads it out of line
};

using MapIndex = std::unordered_map<std::string, size_t>;
// Owns the hash indexes of the large maps of one decode.
using MapIndexes = std::vector<std::unique_ptr<MapIndex>>;

// A map being filled: the entry the current key replaces, and the hash index of a large map.
struct MapCursor {
  static constexpr size_t kNew = std::numeric_limits<size_t>::max();
  size_t replaces = kNew;
  MapIndex* index = nullptr;
};

struct Type {
  Kind kind;
  const char* expected;        // Go's name for it in a type error ("... into a value of type int")
  const char* into = nullptr;  // when set, the error says "... into <into>" instead
  bool names_number = true;    // a type error quotes the number that did not fit
  const Type* element = nullptr;  // slices: the element; maps: the value; []byte: as an array
  // Slices: the element at `index`, appended (zero) when `index` is the size; Go decodes
  // into the elements already there.
  void* (*element_at)(void* slice, size_t index) = nullptr;
  void (*end_slice)(void* slice, size_t size) = nullptr;
  // Slices: room for `size` elements (the reader knows how many follow), or null.
  void (*reserve)(void* slice, size_t size) = nullptr;
  // `null` into a slice or map; the zero value for a struct behind a pointer and for a
  // fresh scalar.
  void (*reset)(void* value) = nullptr;
  // Maps: a fresh value for `raw_key` (Go decodes each map value into a zero value and
  // then assigns it); `end_entry` puts it in place of the one with the same key.
  void (*begin_map)(void* map) = nullptr;
  void* (*begin_entry)(void* map, std::string_view raw_key, MapCursor* cursor,
                       MapIndexes* indexes) = nullptr;
  void (*end_entry)(void* map, MapCursor* cursor) = nullptr;
  void (*drop_entry)(void* map) = nullptr;  // a value that failed is not assigned
  const FieldSlot* fields = nullptr;
  size_t field_count = 0;
};

// A scalar stored into an `any` (Go's interface{}): what both decoders write.
inline void AssignAnyString(std::string_view raw, AnyValue* any) {
  any->kind = AnyValue::Kind::kString;
  AssignGoString(raw, &any->text);
}
inline void AssignAnyNumber(double value, AnyValue* any) {
  any->kind = AnyValue::Kind::kNumber;
  any->text.clear();
  AppendGoFloat(value, &any->text);
}
inline void AssignAnyBool(bool b, AnyValue* any) {
  any->kind = AnyValue::Kind::kBool;
  any->text = b ? "true" : "false";
}

// Go's null stored into `slot`, a value of `type` that is neither a struct behind a pointer
// nor a late member (the decoders handle those themselves): a slice or map becomes nil, an
// `any` nil, a []byte empty, raw JSON "null"; strings, numbers, bools and structs keep
// what they hold.
inline void AssignNull(const Type& type, void* slot) {
  switch (type.kind) {
    case Kind::kSlice:
    case Kind::kMap:
      if (type.reset != nullptr) type.reset(slot);  // none: Go's []byte given as an array
      break;
    case Kind::kAny:
      *static_cast<AnyValue*>(slot) = AnyValue{};
      break;
    case Kind::kGoBytes:
      static_cast<std::string*>(slot)->clear();
      break;
    case Kind::kRawJson:
      static_cast<std::string*>(slot)->assign("null");
      break;
    default:
      break;
  }
}

template <class T>
struct SliceOps {
  static void* ElementAt(void* slice, size_t index) {
    auto* s = static_cast<Slice<T>*>(slice);
    if (index == s->size()) s->emplace_back();
    return &(*s)[index];
  }
  static void End(void* slice, size_t size) {
    auto* s = static_cast<Slice<T>*>(slice);
    s->resize(size);
    s->empty_not_null = (size == 0);
  }
  static void Reserve(void* slice, size_t size) { static_cast<Slice<T>*>(slice)->reserve(size); }
  static void Reset(void* slice) {
    auto* s = static_cast<Slice<T>*>(slice);
    s->clear();
    s->empty_not_null = false;
  }
};

template <class V>
struct MapOps {
  using Map = FlatMap<V>;
  static void Begin(void* map) {
    auto* m = static_cast<Map*>(map);
    if (m->entries.empty()) m->empty_not_null = true;
  }
  static void Reset(void* map) { static_cast<Map*>(map)->Clear(); }
  static void* BeginEntry(void* map, std::string_view raw_key, MapCursor* cursor,
                          MapIndexes* indexes) {
    auto& entries = static_cast<Map*>(map)->entries;
    std::string key;
    AssignGoString(raw_key, &key);
    cursor->replaces = MapCursor::kNew;
    if (!cursor->index && entries.size() > kLinearMapLimit) {
      cursor->index = indexes->emplace_back(std::make_unique<MapIndex>()).get();
      for (size_t i = 0; i < entries.size(); ++i) cursor->index->emplace(entries[i].first, i);
    }
    if (cursor->index) {
      if (auto it = cursor->index->find(key); it != cursor->index->end()) {
        cursor->replaces = it->second;
      }
    } else {
      for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].first == key) {
          cursor->replaces = i;
          break;
        }
      }
    }
    // Room for a typical small map at once, rather than growing through 1, 2, 4 and 8.
    if (entries.capacity() == 0) entries.reserve(kFirstMapCapacity);
    entries.emplace_back(std::move(key), V{});
    return &entries.back().second;
  }
  static void EndEntry(void* map, MapCursor* cursor) {
    auto& entries = static_cast<Map*>(map)->entries;
    if (cursor->replaces != MapCursor::kNew) {
      entries[cursor->replaces].second = std::move(entries.back().second);
      entries.pop_back();
    } else if (cursor->index) {
      cursor->index->emplace(entries.back().first, entries.size() - 1);
    }
  }
  static void DropEntry(void* map) { static_cast<Map*>(map)->entries.pop_back(); }
};

template <class T>
struct TypeOf;

template <>
struct TypeOf<std::string> {
  static constexpr Type value{.kind = Kind::kString, .expected = "string"};
};
template <>
struct TypeOf<bool> {
  static constexpr Type value{.kind = Kind::kBool, .expected = "bool"};
};
template <>
struct TypeOf<int64_t> {
  static constexpr Type value{.kind = Kind::kInt, .expected = "int"};
};
template <>
struct TypeOf<int> {
  static void Zero(void* slot) { *static_cast<int*>(slot) = 0; }
  static constexpr Type value{.kind = Kind::kInt32, .expected = "int", .reset = &Zero};
};
template <>
struct TypeOf<AnyValue> {
  static constexpr Type value{.kind = Kind::kAny, .expected = "any"};
};
constexpr Type kSkipType{.kind = Kind::kSkip, .expected = "any"};
constexpr Type kLateType{.kind = Kind::kLate, .expected = "any"};
constexpr Type kRawJsonType{.kind = Kind::kRawJson, .expected = "any"};

// Go's []byte given as an array: decoded into the bytes already there, element by element.
struct ByteArrayOps {
  static void* ElementAt(void* bytes, size_t index) {
    auto* s = static_cast<std::string*>(bytes);
    if (index == s->size()) s->push_back('\0');
    return &(*s)[index];
  }
  static void End(void* bytes, size_t size) { static_cast<std::string*>(bytes)->resize(size); }
};
constexpr Type kByteType{.kind = Kind::kByte, .expected = "byte", .into = "a byte (0..255)"};
constexpr Type kByteArrayType{.kind = Kind::kSlice,
                              .expected = "array",
                              .element = &kByteType,
                              .element_at = &ByteArrayOps::ElementAt,
                              .end_slice = &ByteArrayOps::End};
constexpr Type kGoBytesType{.kind = Kind::kGoBytes,
                            .expected = "[]byte",
                            .into = "base64 bytes (a string)",
                            .names_number = false,
                            .element = &kByteArrayType};

template <class T>
struct TypeOf<Slice<T>> {
  static constexpr Type value{.kind = Kind::kSlice,
                              .expected = "array",
                              .element = &TypeOf<T>::value,
                              .element_at = &SliceOps<T>::ElementAt,
                              .end_slice = &SliceOps<T>::End,
                              .reserve = &SliceOps<T>::Reserve,
                              .reset = &SliceOps<T>::Reset};
};

template <class V>
struct TypeOf<FlatMap<V>> {
  static constexpr Type value{.kind = Kind::kMap,
                              .expected = "object",
                              .element = &TypeOf<V>::value,
                              .reset = &MapOps<V>::Reset,
                              .begin_map = &MapOps<V>::Begin,
                              .begin_entry = &MapOps<V>::BeginEntry,
                              .end_entry = &MapOps<V>::EndEntry,
                              .drop_entry = &MapOps<V>::DropEntry};
};

template <class F>
struct FieldMember;
template <class T, class M>
struct FieldMember<Field<T, M>> {
  using type = M;
};

template <class T, size_t I>
void* MemberOf(void* object) {
  return &(static_cast<T*>(object)->*(std::get<I>(FieldsOf<T>::value).member));
}

template <class T, size_t I>
bool* FlagOf(void* object) {
  return &(static_cast<T*>(object)->*(std::get<I>(FieldsOf<T>::value).flag));
}

template <class M, class F>
constexpr const Type* TypeOfField(const F& field) {
  if constexpr (std::is_same_v<M, std::string>) {
    if (field.codec == Codec::kGoBytes) return &kGoBytesType;
    if (field.codec == Codec::kRawJson) return &kRawJsonType;
  }
  return &TypeOf<M>::value;
}

template <class T, size_t I>
constexpr FieldSlot MakeFieldSlot() {
  using Fields = std::remove_cvref_t<decltype(FieldsOf<T>::value)>;
  using M = typename FieldMember<std::tuple_element_t<I, Fields>>::type;
  const auto& field = std::get<I>(FieldsOf<T>::value);
  return FieldSlot{field.name,
                   TypeOfField<M>(field),
                   &MemberOf<T, I>,
                   field.want,
                   field.late,
                   field.fresh,
                   field.flag != nullptr ? &FlagOf<T, I> : nullptr,
                   field.late || field.flag != nullptr};
}

template <class T, size_t... I>
constexpr std::array<FieldSlot, sizeof...(I)> MakeFieldSlots(std::index_sequence<I...>) {
  return {MakeFieldSlot<T, I>()...};
}

// What the decoder implements of Field's options: a late member is a bool or an integer
// (its value is kept as a scalar until the end of the object), fresh only with late and
// an int (the one scalar with a zeroing reset), a flag on a late member or on a struct.
// (Tests of the kinds first: GCC cannot compare a function's address with null in a
// constant expression when it instruments the code.)
template <size_t N>
constexpr bool OptionsSupported(const std::array<FieldSlot, N>& fields) {
  for (const FieldSlot& f : fields) {
    const Kind kind = f.type->kind;
    if (f.late && kind != Kind::kBool && kind != Kind::kInt && kind != Kind::kInt32) return false;
    if (f.fresh && (!f.late || kind != Kind::kInt32)) return false;
    if (!f.late && kind != Kind::kStruct && f.flag != nullptr) return false;
  }
  return true;
}

template <class T>
inline void ResetValue(void* value) {
  *static_cast<T*>(value) = T{};
}

constexpr char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// The exact-match fast path in field lookup is only an optimization if no two field names
// of a struct fold to the same key (Go would then prefer the exact one; the slow path
// takes the first in declaration order).
template <size_t N>
constexpr bool NamesFoldApart(const std::array<FieldSlot, N>& fields) {
  for (size_t a = 0; a < N; ++a) {
    for (size_t b = a + 1; b < N; ++b) {
      if (fields[a].name.size() != fields[b].name.size()) continue;
      bool same = true;
      for (size_t k = 0; k < fields[a].name.size(); ++k) {
        same = same && AsciiLower(fields[a].name[k]) == AsciiLower(fields[b].name[k]);
      }
      if (same) return false;
    }
  }
  return true;
}

template <class T>
requires WireStruct<T>
struct TypeOf<T> {
  static constexpr auto fields =
      MakeFieldSlots<T>(std::make_index_sequence<
                        std::tuple_size_v<std::remove_cvref_t<decltype(FieldsOf<T>::value)>>>{});
  static_assert(NamesFoldApart(fields), "two fields of one struct fold to the same key");
  static_assert(OptionsSupported(fields), "a Field option the decoder does not implement");
  static constexpr Type value{.kind = Kind::kStruct,
                              .expected = "object",
                              .reset = &ResetValue<T>,
                              .fields = fields.data(),
                              .field_count = fields.size()};
};

// Field names are a few bytes long: up to 16 bytes are compared as two (overlapping) 8-byte
// words, or 4-byte ones, and shorter ones byte by byte, rather than through memcmp.
template <class Word>
inline bool SameEnds(const char* a, const char* b, size_t n) {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof a0);
  std::memcpy(&b0, b, sizeof b0);
  std::memcpy(&a1, a + n - sizeof a1, sizeof a1);
  std::memcpy(&b1, b + n - sizeof b1, sizeof b1);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) return SameEnds<uint64_t>(a.data(), b.data(), n);
  if (n >= 4 && n < 8) return SameEnds<uint32_t>(a.data(), b.data(), n);
  if (n < 4) {  // "ID": the first, middle and last bytes cover it
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
  }
  return std::memcmp(a.data(), b.data(), n) == 0;
}

// The field `key` names: the exact spelling first, trying `expected` (the field after the
// last one found: senders write fields in declaration order) before the others, then Go's
// case folding.
inline const FieldSlot* FindField(const Type& type, std::string_view key, size_t expected) {
  if (expected < type.field_count && SameBytes(type.fields[expected].name, key)) {
    return &type.fields[expected];
  }
  const FieldSlot* end = type.fields + type.field_count;
  for (const FieldSlot* f = type.fields; f != end; ++f) {
    if (SameBytes(f->name, key)) return f;
  }
  for (const FieldSlot* f = type.fields; f != end; ++f) {
    if (GoFoldEquals(key, f->name)) return f;
  }
  return nullptr;
}

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_WIRE_TYPE_TABLE_HPP_

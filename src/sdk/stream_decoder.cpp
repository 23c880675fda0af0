#include "sdk/stream_decoder.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cliproxy/base64.hpp"
#include "sdk/any_tree.hpp"
#include "sdk/go_text.hpp"
#include "sdk/json_number.hpp"
#include "sdk/json_reader.hpp"
#include "sdk/raw_json_writer.hpp"
#include "sdk/simdjson_walk.hpp"
#include "sdk/wire_fields.hpp"

namespace cliproxy::json::internal {
namespace {

// Maps up to this size are searched linearly for a repeated key; larger ones get a hash
// index, so that a body with many keys costs linear time.
constexpr size_t kLinearMapLimit = 32;
constexpr size_t kFirstMapCapacity = 8;
// The most elements a slice reserves ahead of reading them.
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
void ResetValue(void* value) {
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
// words, or 4-byte ones, rather than byte by byte.
template <class Word>
bool SameEnds(const char* a, const char* b, size_t n) {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof a0);
  std::memcpy(&b0, b, sizeof b0);
  std::memcpy(&a1, a + n - sizeof a1, sizeof a1);
  std::memcpy(&b1, b + n - sizeof b1, sizeof b1);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) return SameEnds<uint64_t>(a.data(), b.data(), n);
  if (n >= 4 && n < 8) return SameEnds<uint32_t>(a.data(), b.data(), n);
  return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
}

// The field `key` names: the exact spelling first, trying `expected` (the field after the
// last one found: senders write fields in declaration order) before the others, then Go's
// case folding.
const FieldSlot* FindField(const Type& type, std::string_view key, size_t expected) {
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

// --- the SAX handler ------------------------------------------------------------------

class StreamDecoder {
 public:
  // Nesting deeper than `depth_limit` stops the parse (exceeded()).
  StreamDecoder(const Type* root, void* out, const char* go_type, const PickFields* want,
                int depth_limit)
      : want_(want), go_type_(go_type), depth_limit_(depth_limit), next_{root, out} {
    frames_.reserve(8);  // request bodies nest a few levels: one allocation, not four
  }

  bool exceeded() const { return exceeded_; }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

  bool Null() {
    if (Passive()) {
      if (untyped_ == Untyped::kSkip) return true;  // the common case: one test
      if (untyped_ == Untyped::kAny) {
        any_.Null();
      } else {
        raw_.Null();
      }
      return true;
    }
    Dest d = Next();
    if (d.slot == nullptr && d.type->kind != Kind::kLate) {
      ValueDone();  // null into a value checked only
      return true;
    }
    return OtherNull(d);
  }

  bool Bool(bool b) {
    if (Passive()) {
      if (untyped_ == Untyped::kSkip) return true;  // the common case: one test
      if (untyped_ == Untyped::kAny) {
        any_.Bool(b);
      } else {
        raw_.Bool(b);
      }
      return true;
    }
    Dest d = Next();
    if (d.type->kind == Kind::kBool) {
      if (d.slot) *static_cast<bool*>(d.slot) = b;
      ValueDone();
      return true;
    }
    return OtherBool(d, b);
  }

  bool Number(const JsonNumber& n) {
    if (Passive()) {
      if (untyped_ == Untyped::kSkip) return true;  // the common case: one test
      if (untyped_ == Untyped::kAny) {
        any_.Number(n.AsDouble());
      } else {
        raw_.Number(n.text);
      }
      return true;
    }
    Dest d = Next();
    if (d.type->kind == Kind::kInt && n.FitsInt64()) {
      if (d.slot) *static_cast<int64_t*>(d.slot) = n.AsInt64();
    } else if (d.type->kind != Kind::kSkip) {
      return OtherNumber(d, n);
    }
    ValueDone();
    return true;
  }

  bool String(std::string_view s) {
    if (Passive()) {
      if (untyped_ == Untyped::kSkip) return true;  // the common case: one test
      if (untyped_ == Untyped::kAny) {
        any_.String(s);
      } else {
        raw_.String(s);
      }
      return true;
    }
    Dest d = Next();
    if (d.type->kind == Kind::kString) {
      if (d.slot) AssignGoString(s, static_cast<std::string*>(d.slot));
    } else if (d.type->kind != Kind::kSkip) {
      return OtherString(d, s);
    }
    ValueDone();
    return true;
  }

  bool Key(std::string_view key) {
    if (Passive()) {
      if (untyped_ == Untyped::kSkip) return true;  // the common case: one test
      if (untyped_ == Untyped::kAny) {
        any_.String(key);
      } else {
        raw_.Key(key);
      }
      return true;
    }
    Frame& f = frames_.back();
    if (f.type->kind == Kind::kMap) {
      f.segment = key;
      next_ = {f.type->element,
               f.object ? f.type->begin_entry(f.object, key, &f.map, &map_indexes_) : nullptr};
      return true;
    }
    const FieldSlot* field = FindField(*f.type, key, f.index);
    if (field == nullptr) {
      next_ = {&kSkipType, nullptr};  // unknown keys are ignored
      return true;
    }
    f.index = static_cast<size_t>(field - f.type->fields) + 1;
    f.segment = field->name;
    const bool wanted = field->want == nullptr || want_ == nullptr || want_->*field->want;
    void* object = f.object && wanted ? f.object : nullptr;
    if (field->special) [[unlikely]] {
      return SpecialKey(field, object);
    }
    next_ = {field->type, object ? field->member(object) : nullptr};
    return true;
  }

  bool StartObject() {
    if (!Enter()) return false;
    if (Passive()) {
      if (untyped_depth_ > 0) ++untyped_depth_;
      if (untyped_ == Untyped::kRaw) raw_.StartObject();
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kStruct:
        frames_.push_back(
            {.type = d.type, .object = d.slot, .present = std::exchange(next_present_, nullptr)});
        return true;
      case Kind::kMap:
        if (d.slot) d.type->begin_map(d.slot);
        frames_.push_back({.type = d.type, .object = d.slot});
        return true;
      case Kind::kLate:
        Defer(LateValue::Event::kObject);
        BeginUntyped(d);
        return true;
      case Kind::kAny:
      case Kind::kRawJson:
      case Kind::kSkip:
        BeginUntyped(d);
        if (untyped_ == Untyped::kRaw) raw_.StartObject();
        return true;
      default:
        return TypeError("object", *d.type);
    }
  }

  bool EndObject(size_t members) {
    --depth_;
    if (failed_) return true;
    if (untyped_depth_ > 0) {
      if (untyped_ == Untyped::kAny) any_.EndObject(members);
      if (untyped_ == Untyped::kRaw) raw_.EndObject();
      return EndUntypedValue();
    }
    Frame& f = frames_.back();
    // Only a struct with a flag or late members pending has more to do.
    if ((f.present != nullptr || !late_.empty()) && f.type->kind == Kind::kStruct) [[unlikely]] {
      if (f.present) *f.present = true;
      if (!late_.empty() && late_.back().depth == frames_.size() && !ReadLate()) return true;
    }
    frames_.pop_back();
    ValueDone();
    return true;
  }

  // `size_hint`: the number of elements, when the reader knows it (0: unknown).
  bool StartArray(size_t size_hint = 0) {
    if (!Enter()) return false;
    if (Passive()) {
      if (untyped_depth_ > 0) ++untyped_depth_;
      if (untyped_ == Untyped::kRaw) raw_.StartArray();
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kSlice:
        // At most kReserveLimit at once: the hint counts values of any type, and an array
        // of a million numbers where candidates are expected fails at its first element.
        if (d.slot && size_hint > 0 && d.type->reserve) {
          d.type->reserve(d.slot, std::min(size_hint, kReserveLimit));
        }
        frames_.push_back({.type = d.type, .object = d.slot});
        return true;
      case Kind::kGoBytes:
        frames_.push_back({.type = d.type->element, .object = d.slot});
        return true;
      case Kind::kLate:
        Defer(LateValue::Event::kArray);
        BeginUntyped(d);
        return true;
      case Kind::kAny:
      case Kind::kRawJson:
      case Kind::kSkip:
        BeginUntyped(d);
        if (untyped_ == Untyped::kRaw) raw_.StartArray();
        return true;
      default:
        return TypeError("array", *d.type);
    }
  }

  bool EndArray(size_t elements) {
    --depth_;
    if (failed_) return true;
    if (untyped_depth_ > 0) {
      if (untyped_ == Untyped::kAny) any_.EndArray(elements);
      if (untyped_ == Untyped::kRaw) raw_.EndArray();
      return EndUntypedValue();
    }
    Frame& f = frames_.back();
    if (f.object) f.type->end_slice(f.object, f.index);
    frames_.pop_back();
    ValueDone();
    return true;
  }

 private:
  struct Dest {
    const Type* type;
    void* slot;  // null: check the type only; kLate: the struct (or null)
  };

  struct Frame {
    const Type* type;
    void* object;              // null: checked only
    size_t index = 0;          // slices: the element being read; structs: the field expected next
    std::string_view segment;  // structs: the field being read; maps: its raw key
    MapCursor map;
    bool* present = nullptr;  // structs behind Go's pointer: set at the end of the object
  };

  // The value of a late member (Field::late), kept until the end of its object. Only
  // scalars are read there; any other kind is kept as its kind, for the type error.
  struct LateValue {
    enum class Event : uint8_t { kNull, kBool, kNumber, kString, kObject, kArray };
    const FieldSlot* field;
    void* object;  // the struct it belongs to (null: checked only)
    size_t depth;  // frames_.size() of that struct
    Event event;
    bool b = false;
    JsonNumber number{};
  };

  // A value whose contents are not typed: skipped, gathered for an `any`, or written
  // back as raw JSON.
  enum class Untyped : uint8_t { kSkip, kAny, kRaw };

  // Events that need no typed handling: after a type error, or inside an untyped value.
  bool Passive() const { return failed_ || untyped_depth_ > 0; }

  bool Enter() {
    if (++depth_ <= depth_limit_) return true;
    exceeded_ = true;
    return false;
  }

  // Where the value that starts now goes.
  Dest Next() {
    if (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.type->kind == Kind::kSlice) {
        return {f.type->element, f.object ? f.type->element_at(f.object, f.index) : nullptr};
      }
    }
    return next_;
  }

  // A value has been read completely into the place Next() gave.
  void ValueDone() {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (f.type->kind == Kind::kSlice) {
      ++f.index;
    } else if (f.type->kind == Kind::kMap && f.object) {
      f.type->end_entry(f.object, &f.map);
    }
  }

  // The rest of Number(), out of line as OtherString().
  [[gnu::noinline]] bool OtherNumber(const Dest& d, const JsonNumber& n) {
    switch (d.type->kind) {
      case Kind::kInt:
        if (!n.FitsInt64()) return TypeError("number " + std::string(n.text), *d.type);
        if (d.slot) *static_cast<int64_t*>(d.slot) = n.AsInt64();
        break;
      case Kind::kInt32:
        if (!n.FitsInt64()) return TypeError("number " + std::string(n.text), *d.type);
        if (d.slot) *static_cast<int*>(d.slot) = static_cast<int>(n.AsInt64());
        break;
      case Kind::kByte:
        if (!n.IsByte()) return TypeError("number " + std::string(n.text), *d.type);
        if (d.slot) *static_cast<char*>(d.slot) = static_cast<char>(n.AsInt64());
        break;
      case Kind::kAny:
        if (d.slot) {
          auto* any = static_cast<AnyValue*>(d.slot);
          any->kind = AnyValue::Kind::kNumber;
          any->text.clear();
          AppendGoFloat(n.AsDouble(), &any->text);
        }
        break;
      case Kind::kRawJson:
        if (d.slot)
          WriteRaw(static_cast<std::string*>(d.slot), [&](RawJsonWriter& w) { w.Number(n.text); });
        break;
      case Kind::kLate:
        Defer(LateValue::Event::kNumber, false, n);
        break;
      case Kind::kSkip:
        break;
      default:
        return TypeError(d.type->names_number ? "number " + std::string(n.text) : "number",
                         *d.type);
    }
    ValueDone();
    return true;
  }

  // The rest of Key(), for a late member or one with a flag (Field options), out of line as
  // OtherNull() and the others below. `object`: the struct, null if the value is checked only.
  [[gnu::noinline]] bool SpecialKey(const FieldSlot* field, void* object) {
    if (field->late) {
      late_field_ = field;
      next_ = {&kLateType, object};
      return true;
    }
    void* slot = object ? field->member(object) : nullptr;
    next_ = {field->type, slot};
    next_present_ = slot && field->flag ? field->flag(object) : nullptr;
    return true;
  }

  // The rest of Null(), Bool() and String(): the kinds a pick body does not need, kept out
  // of line so that the handlers stay small where the readers inline them.
  [[gnu::noinline]] bool OtherNull(const Dest& d) {
    if (d.type->kind == Kind::kLate) {
      Defer(LateValue::Event::kNull);
    } else if (d.slot != nullptr) {
      switch (d.type->kind) {
        case Kind::kSlice:
        case Kind::kMap:
          d.type->reset(d.slot);
          break;
        case Kind::kStruct:
          if (bool* present = std::exchange(next_present_, nullptr)) {
            d.type->reset(d.slot);  // Go's pointer to a struct: null makes it nil
            *present = false;
          }
          break;
        case Kind::kAny:
          *static_cast<AnyValue*>(d.slot) = AnyValue{};
          break;
        case Kind::kGoBytes:
          static_cast<std::string*>(d.slot)->clear();
          break;
        case Kind::kRawJson:
          static_cast<std::string*>(d.slot)->assign("null");
          break;
        default:
          break;  // null leaves strings, numbers, bools and bytes untouched
      }
    }
    ValueDone();
    return true;
  }

  [[gnu::noinline]] bool OtherBool(const Dest& d, bool b) {
    switch (d.type->kind) {
      case Kind::kBool:
        if (d.slot) *static_cast<bool*>(d.slot) = b;
        break;
      case Kind::kAny:
        if (d.slot) {
          auto* any = static_cast<AnyValue*>(d.slot);
          any->kind = AnyValue::Kind::kBool;
          any->text = b ? "true" : "false";
        }
        break;
      case Kind::kRawJson:
        if (d.slot) static_cast<std::string*>(d.slot)->assign(b ? "true" : "false");
        break;
      case Kind::kLate:
        Defer(LateValue::Event::kBool, b);
        break;
      case Kind::kSkip:
        break;
      default:
        return TypeError("bool", *d.type);
    }
    ValueDone();
    return true;
  }

  [[gnu::noinline]] bool OtherString(const Dest& d, std::string_view s) {
    switch (d.type->kind) {
      case Kind::kString:
        if (d.slot) AssignGoString(s, static_cast<std::string*>(d.slot));
        break;
      case Kind::kAny:
        if (d.slot) {
          auto* any = static_cast<AnyValue*>(d.slot);
          any->kind = AnyValue::Kind::kString;
          AssignGoString(s, &any->text);
        }
        break;
      case Kind::kGoBytes: {
        // The bytes as parsed, not made valid UTF-8 first: an invalid byte is an illegal
        // base64 byte at its own offset.
        std::string unused;
        auto* bytes = d.slot ? static_cast<std::string*>(d.slot) : &unused;
        if (std::string error; !base64::Decode(s, bytes, &error)) {
          return Fail(error);
        }
        break;
      }
      case Kind::kRawJson:
        if (d.slot)
          WriteRaw(static_cast<std::string*>(d.slot), [&](RawJsonWriter& w) { w.String(s); });
        break;
      case Kind::kLate:
        Defer(LateValue::Event::kString);
        break;
      case Kind::kSkip:
        break;
      default:
        return TypeError("string", *d.type);
    }
    ValueDone();
    return true;
  }

  // A scalar as raw JSON.
  template <class Write>
  static void WriteRaw(std::string* out, const Write& write) {
    RawJsonWriter writer;
    write(writer);
    out->assign(writer.text());
  }

  // An object or array whose contents are not typed: gathered for an `any` that is
  // stored, written for raw JSON that is stored, only counted otherwise.
  void BeginUntyped(Dest d) {
    untyped_depth_ = 1;
    untyped_ = Untyped::kSkip;
    if (d.slot == nullptr) return;
    if (d.type->kind == Kind::kAny) {
      untyped_ = Untyped::kAny;
      any_slot_ = static_cast<AnyValue*>(d.slot);
    } else if (d.type->kind == Kind::kRawJson) {
      untyped_ = Untyped::kRaw;
      raw_slot_ = static_cast<std::string*>(d.slot);
      raw_.Reset();
    }
  }
  bool EndUntypedValue() {
    if (--untyped_depth_ > 0) return true;
    if (untyped_ == Untyped::kAny) any_.Finish(any_slot_);
    if (untyped_ == Untyped::kRaw) raw_slot_->assign(raw_.text());
    untyped_ = Untyped::kSkip;
    ValueDone();
    return true;
  }

  // Keeps the value of the late member last named by Key() for the end of its object.
  void Defer(LateValue::Event event, bool b = false, const JsonNumber& n = {}) {
    late_.push_back({.field = late_field_,
                     .object = next_.slot,
                     .depth = frames_.size(),
                     .event = event,
                     .b = b,
                     .number = n});
  }

  // At the end of the struct on top of frames_: reads the late members kept for it, in
  // text order. False after a type error.
  bool ReadLate() {
    size_t begin = late_.size();
    while (begin > 0 && late_[begin - 1].depth == frames_.size()) --begin;
    for (size_t k = begin; k < late_.size(); ++k) {
      const LateValue& v = late_[k];
      const Type& type = *v.field->type;
      void* slot = v.object ? v.field->member(v.object) : nullptr;
      frames_.back().segment = v.field->name;
      next_ = {&type, slot};
      switch (v.event) {
        case LateValue::Event::kNull:
          if (slot && v.field->fresh) type.reset(slot);
          break;
        case LateValue::Event::kBool:
          Bool(v.b);
          break;
        case LateValue::Event::kNumber:
          Number(v.number);
          break;
        case LateValue::Event::kString:
          TypeError("string", type);
          break;
        case LateValue::Event::kObject:
          TypeError("object", type);
          break;
        case LateValue::Event::kArray:
          TypeError("array", type);
          break;
      }
      if (failed_) return false;
      if (v.object && v.field->flag) *v.field->flag(v.object) = true;
    }
    late_.resize(begin);
    return true;
  }

  // Records the first type error and goes on reading, so that a later syntax error still
  // wins (as when the whole text is parsed before it is decoded).
  bool TypeError(const std::string& got, const Type& expected) {
    if (frames_.empty()) {
      failed_ = true;
      error_ = "cannot unmarshal " + got.substr(0, got.find(' ')) + " into " + go_type_;
      return true;
    }
    std::string what = "cannot unmarshal " + got + " into ";
    if (expected.into != nullptr) {
      what += expected.into;
    } else {
      what += "a value of type ";
      what += expected.expected;
    }
    return Fail(what);
  }

  // Records the first error inside the root value, prefixed with its path
  // ("Candidates[2].Priority: ..."); see TypeError.
  bool Fail(const std::string& what) {
    failed_ = true;
    // What is stored so far stays, as when a tree is walked until the error; but a map
    // gains no entry for the value that failed inside it.
    for (const Frame& f : frames_) {
      if (f.type->kind == Kind::kMap && f.object) f.type->drop_entry(f.object);
    }
    std::string path;
    for (const Frame& f : frames_) {
      if (f.type->kind == Kind::kStruct) {
        path += '.';
        path += f.segment;
      } else if (f.type->kind == Kind::kSlice) {
        path += '[';
        path += std::to_string(f.index);
        path += ']';
      } else {
        std::string key;
        AssignGoString(f.segment, &key);
        path += '[';
        path += Quote(key);
        path += ']';
      }
    }
    if (!path.empty() && path[0] == '.') path.erase(0, 1);
    error_ = path + ": " + what;
    return true;
  }

  const PickFields* want_;
  const char* go_type_;
  int depth_limit_;
  Dest next_;
  // The flag of the struct member named last (Field::flag), for the object or null that
  // follows; kept out of Dest, which then fits in two registers. Only such a member sets
  // it, and its value takes it (StartObject(), OtherNull()) or fails to type-check.
  bool* next_present_ = nullptr;
  std::vector<Frame> frames_;
  int depth_ = 0;
  bool exceeded_ = false;
  bool failed_ = false;
  std::string error_;
  size_t untyped_depth_ = 0;
  Untyped untyped_ = Untyped::kSkip;
  AnyValue* any_slot_ = nullptr;
  AnyTree any_;
  std::string* raw_slot_ = nullptr;
  RawJsonWriter raw_;
  const FieldSlot* late_field_ = nullptr;
  std::vector<LateValue> late_;
  MapIndexes map_indexes_;
};

// The fast path's recursion (and the handler's nesting limit on it): request bodies nest a
// few levels; a deeper text is read by JsonReader, which is iterative.
constexpr int kFastDepthLimit = 128;
// Bodies up to this size take the fast path. A parser keeps memory in proportion to the
// largest text it has read; larger bodies (far beyond a 1000-candidate pick) go straight
// to JsonReader, which needs only the copy of the text.
constexpr size_t kFastPathLimit = size_t{1} << 20;
// A parser that grew beyond this is dropped after use rather than kept for the next call,
// and at most kKeptParsers are kept: a parser holds about 14 bytes per byte of capacity
// (its tape, string buffer and structural index), so the pool keeps at most about 28 MB,
// and about 0.6 MB per parser for the 40 KB bodies of a 100-candidate pick.
constexpr size_t kKeptParserCapacity = size_t{256} << 10;
constexpr size_t kKeptParsers = 8;

// simdjson parsers kept between calls, so that a pick does not allocate one. Calls come
// from any number of host threads; a few parsers serve them all.
class ParserPool {
 public:
  std::unique_ptr<simdjson::dom::parser> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        auto parser = std::move(idle_.back());
        idle_.pop_back();
        return parser;
      }
    }
    return std::make_unique<simdjson::dom::parser>();
  }
  void Give(std::unique_ptr<simdjson::dom::parser> parser) {
    if (parser->capacity() > kKeptParserCapacity) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < kKeptParsers) idle_.push_back(std::move(parser));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> idle_;
};

ParserPool& Parsers() {
  static auto* pool = new ParserPool();  // never destroyed: calls may outlive static teardown
  return *pool;
}

// A copy of the body, in which JsonReader unescapes strings.
class BodyCopy {
 public:
  explicit BodyCopy(std::string_view body) : size_(body.size()), data_(new char[body.size() + 1]) {
    if (!body.empty()) std::memcpy(data_.get(), body.data(), body.size());  // data() may be null
  }
  char* data() { return data_.get(); }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

// The fast path: true if simdjson accepted `body` and `decoder` read it without an error.
// The parser copies the body into its own padded buffer, kept with the parser.
bool DecodeFast(std::string_view body, StreamDecoder* decoder) {
  ParserPool& pool = Parsers();
  std::unique_ptr<simdjson::dom::parser> parser = pool.Take();
  simdjson::dom::element root;
  bool ok = parser->parse(body.data(), body.size(), true).get(root) == simdjson::SUCCESS &&
            WalkSimdjson(root, *decoder) && !decoder->failed();
  pool.Give(std::move(parser));
  return ok;
}

}  // namespace

template <class T>
DecodeStatus DecodeStream(std::string_view body, T* out, const char* go_type,
                          const PickFields* want, DecodePath path) {
  // A NUL byte is never valid JSON (outside strings it is no token, inside it is an
  // unescaped control character); the message names it.
  if (size_t nul = body.find('\0'); nul != std::string_view::npos) {
    return {"invalid JSON at byte " + std::to_string(nul) + ": NUL byte"};
  }
  // What the caller passed in, for a second reading (Go decodes into it, not into a zero value).
  T given = *out;
  // Raw JSON members keep their numbers' literal text, which only JsonReader reports; and
  // simdjson passes an escaped lone low surrogate through where Go writes U+FFFD.
  constexpr bool kHasRawJson = std::is_same_v<T, Envelope>;
  if (path != DecodePath::kExactOnly && !kHasRawJson && !body.empty() &&
      body.size() <= kFastPathLimit && !MayHoldSurrogateEscape(body)) {
    StreamDecoder decoder(&TypeOf<T>::value, out, go_type, want, kFastDepthLimit);
    if (DecodeFast(body, &decoder)) return {};
    *out = given;
  }
  if (path == DecodePath::kFastOnly) return {kFastPathRefused};
  // Not accepted by the fast path, or failed there: JsonReader's outcome is the contract.
  StreamDecoder decoder(&TypeOf<T>::value, out, go_type, want, kMaxDepth);
  BodyCopy text(body);
  JsonReader<StreamDecoder> reader(text.data(), text.size(), &decoder);
  const ReadError error = reader.Read();
  if (error) {
    *out = std::move(given);  // Go checks the whole text before it stores anything
    if (error.code == ReadError::Code::kDocumentEmpty || error.offset >= body.size()) {
      return {"unexpected end of JSON input"};
    }
    std::string where = "invalid JSON at byte " + std::to_string(error.offset) + ": ";
    if (decoder.exceeded()) {
      return {where + "exceeded max nesting depth (" + std::to_string(kMaxDepth) + ")"};
    }
    return {where + error.Message()};
  }
  if (decoder.failed()) return {decoder.error()};
  return {};
}
template DecodeStatus DecodeStream(std::string_view, PickRequest*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, UsageRecord*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, Registration*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, PickResult*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, LifecycleRequest*, const char*,
                                   const PickFields*, DecodePath);
template DecodeStatus DecodeStream(std::string_view, LogRequest*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, Envelope*, const char*, const PickFields*,
                                   DecodePath);
template DecodeStatus DecodeStream(std::string_view, ManagementRegistrationRequest*, const char*,
                                   const PickFields*, DecodePath);
template DecodeStatus DecodeStream(std::string_view, ManagementRegistration*, const char*,
                                   const PickFields*, DecodePath);
template DecodeStatus DecodeStream(std::string_view, ManagementRequest*, const char*,
                                   const PickFields*, DecodePath);
template DecodeStatus DecodeStream(std::string_view, ManagementResponse*, const char*,
                                   const PickFields*, DecodePath);

}  // namespace cliproxy::json::internal

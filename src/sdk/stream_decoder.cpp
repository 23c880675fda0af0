#include "sdk/stream_decoder.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sdk/any_canonical.hpp"
#include "sdk/go_text.hpp"
#include "sdk/wire_fields.hpp"

namespace cliproxy::json::internal {
namespace {

namespace rj = ::rapidjson;

// In place (strings are unescaped inside the copy of the body) and with full precision
// (numbers round as Go's strconv.ParseFloat rounds them).
constexpr unsigned kFastFlags = rj::kParseInsituFlag | rj::kParseFullPrecisionFlag;
// Iterative as well: no recursion however deep the text. The decoder's contract (the
// nesting limit, the syntax error messages) is that of this parse; the recursive one
// above is a faster path for texts that it reads without an error.
constexpr unsigned kExactFlags = kFastFlags | rj::kParseIterativeFlag;
// The recursive parse stops at this depth (its stack use grows with the nesting) and the
// text is read again by the iterative one. Request bodies nest a few levels.
constexpr int kRecursionLimit = 128;

// Maps up to this size are searched linearly for a repeated key; larger ones get a hash
// index, so that a body with many keys costs linear time.
constexpr size_t kLinearMapLimit = 32;
constexpr size_t kFirstMapCapacity = 8;

// --- the body, copied for the in-place parse ------------------------------------------

// A NUL-terminated copy of the body (RapidJSON's in-situ stream ends at the NUL; the body
// holds none, DecodeStream refuses them first). Allocated per decode: keeping one per
// thread measured no faster, and would keep memory after a large body.
class ParseBuffer {
 public:
  // Copies `body` in; returns the copy.
  char* Fill(std::string_view body) {
    if (capacity_ < body.size() + 1) {
      data_.reset(new char[body.size() + 1]);
      capacity_ = body.size() + 1;
    }
    if (!body.empty()) std::memcpy(data_.get(), body.data(), body.size());  // data() may be null
    data_[body.size()] = '\0';
    return data_.get();
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

// --- numbers as the reader reports them -----------------------------------------------

struct JsonNumber {
  enum class Kind { kInt, kUint, kInt64, kUint64, kDouble };
  Kind kind;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;

  // Go's strconv.ParseInt accepts it (an integer literal within int64).
  bool FitsInt64() const {
    if (kind == Kind::kDouble) return false;
    if (kind == Kind::kUint64) return u <= static_cast<uint64_t>(INT64_MAX);
    return true;
  }
  int64_t AsInt64() const {
    return (kind == Kind::kUint || kind == Kind::kUint64) ? static_cast<int64_t>(u) : i;
  }
  // What Go's float64 holds for it.
  double AsDouble() const {
    switch (kind) {
      case Kind::kUint:
      case Kind::kUint64:
        return static_cast<double>(u);
      case Kind::kInt:
      case Kind::kInt64:
        return static_cast<double>(i);
      case Kind::kDouble:
        break;
    }
    return d;
  }
  // The number as RapidJSON writes it back (error messages quote it so).
  std::string Text() const {
    rj::StringBuffer buf;
    rj::Writer<rj::StringBuffer> w(buf);
    switch (kind) {
      case Kind::kInt:
      case Kind::kInt64:
        w.Int64(i);
        break;
      case Kind::kUint:
      case Kind::kUint64:
        w.Uint64(u);
        break;
      case Kind::kDouble:
        w.Double(d);
        break;
    }
    return std::string(buf.GetString(), buf.GetSize());
  }
};

// --- what each wire type accepts: tables generated from wire_fields.hpp ----------------

enum class Kind : uint8_t { kSkip, kString, kBool, kInt, kAny, kSlice, kMap, kStruct };

struct Type;

struct FieldSlot {
  std::string_view name;
  const Type* type;
  void* (*member)(void* object);
  bool PickFields::*want;
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
  const char* expected;           // Go's name for it in a type error
  const Type* element = nullptr;  // slices: the element; maps: the value
  // Slices: the element at `index`, appended (zero) when `index` is the size; Go decodes
  // into the elements already there.
  void* (*element_at)(void* slice, size_t index) = nullptr;
  void (*end_slice)(void* slice, size_t size) = nullptr;
  void (*reset)(void* container) = nullptr;  // `null` into a slice or map
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
struct TypeOf<AnyValue> {
  static constexpr Type value{.kind = Kind::kAny, .expected = "any"};
};
constexpr Type kSkipType{.kind = Kind::kSkip, .expected = "any"};

template <class T>
struct TypeOf<Slice<T>> {
  static constexpr Type value{.kind = Kind::kSlice,
                              .expected = "array",
                              .element = &TypeOf<T>::value,
                              .element_at = &SliceOps<T>::ElementAt,
                              .end_slice = &SliceOps<T>::End,
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

template <class T, size_t... I>
constexpr std::array<FieldSlot, sizeof...(I)> MakeFieldSlots(std::index_sequence<I...>) {
  using Fields = std::remove_cvref_t<decltype(FieldsOf<T>::value)>;
  return {FieldSlot{std::get<I>(FieldsOf<T>::value).name,
                    &TypeOf<typename FieldMember<std::tuple_element_t<I, Fields>>::type>::value,
                    &MemberOf<T, I>, std::get<I>(FieldsOf<T>::value).want}...};
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
  static constexpr Type value{.kind = Kind::kStruct,
                              .expected = "object",
                              .fields = fields.data(),
                              .field_count = fields.size()};
};

// Field names are a few bytes long: comparing them inline beats calling memcmp.
bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
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

// --- an `any` object or array, gathered to be written back as Go writes it --------------

class AnyTree {
 public:
  using Value = rj::GenericValue<rj::UTF8<>, rj::MemoryPoolAllocator<>>;

  // Strings are referenced, not copied: they live in the parse buffer until the end.
  void String(const char* s, size_t n) { stack_.emplace_back(s, static_cast<rj::SizeType>(n)); }
  void Add(Value v) { stack_.push_back(std::move(v)); }
  void EndObject(size_t members) {
    Value object(rj::kObjectType);
    const size_t base = stack_.size() - 2 * members;
    for (size_t k = base; k < stack_.size(); k += 2) {
      object.AddMember(stack_[k], stack_[k + 1], allocator());
    }
    stack_.resize(base);
    stack_.push_back(std::move(object));
  }
  void EndArray(size_t elements) {
    Value array(rj::kArrayType);
    const size_t base = stack_.size() - elements;
    array.Reserve(static_cast<rj::SizeType>(elements), allocator());
    for (size_t k = base; k < stack_.size(); ++k) array.PushBack(stack_[k], allocator());
    stack_.resize(base);
    stack_.push_back(std::move(array));
  }
  // Writes the finished tree into `out` and forgets it.
  void Finish(AnyValue* out) {
    const Value& root = stack_.back();
    out->kind = root.IsObject() ? AnyValue::Kind::kObject : AnyValue::Kind::kArray;
    out->text.clear();
    AppendCanonical(root, &out->text);
    stack_.clear();
  }

 private:
  rj::MemoryPoolAllocator<>& allocator() {
    if (!allocator_) allocator_ = std::make_unique<rj::MemoryPoolAllocator<>>();
    return *allocator_;
  }

  std::unique_ptr<rj::MemoryPoolAllocator<>> allocator_;
  std::vector<Value> stack_;
};

// --- the SAX handler ------------------------------------------------------------------

class StreamDecoder {
 public:
  // Nesting deeper than `depth_limit` stops the parse (exceeded()).
  StreamDecoder(const Type* root, void* out, const char* go_type, const PickFields* want,
                int depth_limit)
      : want_(want), go_type_(go_type), depth_limit_(depth_limit), next_{root, out} {}

  bool exceeded() const { return exceeded_; }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

  bool Null() {
    if (Passive()) {
      if (any_depth_ > 0) any_.Add(AnyTree::Value());
      return true;
    }
    Dest d = Next();
    if (d.slot != nullptr) {
      switch (d.type->kind) {
        case Kind::kSlice:
        case Kind::kMap:
          d.type->reset(d.slot);
          break;
        case Kind::kAny:
          *static_cast<AnyValue*>(d.slot) = AnyValue{};
          break;
        default:
          break;  // null leaves strings, numbers, bools and structs untouched
      }
    }
    ValueDone();
    return true;
  }

  bool Bool(bool b) {
    if (Passive()) {
      if (any_depth_ > 0) any_.Add(AnyTree::Value(b));
      return true;
    }
    Dest d = Next();
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
      case Kind::kSkip:
        break;
      default:
        return TypeError("bool", *d.type);
    }
    ValueDone();
    return true;
  }

  bool Int(int i) { return Number({.kind = JsonNumber::Kind::kInt, .i = i}); }
  bool Uint(unsigned u) { return Number({.kind = JsonNumber::Kind::kUint, .u = u}); }
  bool Int64(int64_t i) { return Number({.kind = JsonNumber::Kind::kInt64, .i = i}); }
  bool Uint64(uint64_t u) { return Number({.kind = JsonNumber::Kind::kUint64, .u = u}); }
  bool Double(double d) { return Number({.kind = JsonNumber::Kind::kDouble, .d = d}); }
  bool RawNumber(const char*, rj::SizeType, bool) { return false; }  // not requested

  bool String(const char* s, rj::SizeType n, bool) {
    if (Passive()) {
      if (any_depth_ > 0) any_.String(s, n);
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kString:
        if (d.slot) AssignGoString(std::string_view(s, n), static_cast<std::string*>(d.slot));
        break;
      case Kind::kAny:
        if (d.slot) {
          auto* any = static_cast<AnyValue*>(d.slot);
          any->kind = AnyValue::Kind::kString;
          AssignGoString(std::string_view(s, n), &any->text);
        }
        break;
      case Kind::kSkip:
        break;
      default:
        return TypeError("string", *d.type);
    }
    ValueDone();
    return true;
  }

  bool Key(const char* s, rj::SizeType n, bool) {
    if (Passive()) {
      if (any_depth_ > 0) any_.String(s, n);
      return true;
    }
    Frame& f = frames_.back();
    const std::string_view key(s, n);
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
    next_ = {field->type, f.object && wanted ? field->member(f.object) : nullptr};
    return true;
  }

  bool StartObject() {
    if (!Enter()) return false;
    if (Passive()) {
      if (skip_depth_ > 0) ++skip_depth_;
      if (any_depth_ > 0) ++any_depth_;
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kStruct:
        frames_.push_back({d.type, d.slot});
        return true;
      case Kind::kMap:
        if (d.slot) d.type->begin_map(d.slot);
        frames_.push_back({d.type, d.slot});
        return true;
      case Kind::kAny:
      case Kind::kSkip:
        BeginUntyped(d);
        return true;
      default:
        return TypeError("object", *d.type);
    }
  }

  bool EndObject(rj::SizeType members) {
    --depth_;
    if (failed_) return true;
    if (EndUntyped()) {
      if (any_depth_ > 0) any_.EndObject(members);
      return EndUntypedValue();
    }
    frames_.pop_back();
    ValueDone();
    return true;
  }

  bool StartArray() {
    if (!Enter()) return false;
    if (Passive()) {
      if (skip_depth_ > 0) ++skip_depth_;
      if (any_depth_ > 0) ++any_depth_;
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kSlice:
        frames_.push_back({d.type, d.slot});
        return true;
      case Kind::kAny:
      case Kind::kSkip:
        BeginUntyped(d);
        return true;
      default:
        return TypeError("array", *d.type);
    }
  }

  bool EndArray(rj::SizeType elements) {
    --depth_;
    if (failed_) return true;
    if (EndUntyped()) {
      if (any_depth_ > 0) any_.EndArray(elements);
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
    void* slot;  // null: check the type only
  };

  struct Frame {
    const Type* type;
    void* object;              // null: checked only
    size_t index = 0;          // slices: the element being read; structs: the field expected next
    std::string_view segment;  // structs: the field being read; maps: its raw key
    MapCursor map;
  };

  // Events that need no typed handling: after a type error, inside a skipped value, or
  // inside an `any` being gathered.
  bool Passive() const { return failed_ || skip_depth_ > 0 || any_depth_ > 0; }

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

  bool Number(const JsonNumber& n) {
    if (Passive()) {
      if (any_depth_ > 0) any_.Add(ToValue(n));
      return true;
    }
    Dest d = Next();
    switch (d.type->kind) {
      case Kind::kInt:
        if (!n.FitsInt64()) return TypeError("number " + n.Text(), *d.type);
        if (d.slot) *static_cast<int64_t*>(d.slot) = n.AsInt64();
        break;
      case Kind::kAny:
        if (d.slot) {
          auto* any = static_cast<AnyValue*>(d.slot);
          any->kind = AnyValue::Kind::kNumber;
          any->text.clear();
          AppendGoFloat(n.AsDouble(), &any->text);
        }
        break;
      case Kind::kSkip:
        break;
      default:
        return TypeError("number " + n.Text(), *d.type);
    }
    ValueDone();
    return true;
  }

  static AnyTree::Value ToValue(const JsonNumber& n) {
    switch (n.kind) {
      case JsonNumber::Kind::kInt:
        return AnyTree::Value(static_cast<int>(n.i));
      case JsonNumber::Kind::kUint:
        return AnyTree::Value(static_cast<unsigned>(n.u));
      case JsonNumber::Kind::kInt64:
        return AnyTree::Value(n.i);
      case JsonNumber::Kind::kUint64:
        return AnyTree::Value(n.u);
      case JsonNumber::Kind::kDouble:
        break;
    }
    return AnyTree::Value(n.d);
  }

  // An object or array whose contents are not typed: gathered for an `any` that is
  // stored, only counted otherwise.
  void BeginUntyped(Dest d) {
    if (d.type->kind == Kind::kAny && d.slot != nullptr) {
      any_slot_ = static_cast<AnyValue*>(d.slot);
      any_depth_ = 1;
    } else {
      skip_depth_ = 1;
    }
  }
  bool EndUntyped() const { return skip_depth_ > 0 || any_depth_ > 0; }
  bool EndUntypedValue() {
    if (skip_depth_ > 0) {
      if (--skip_depth_ == 0) ValueDone();
      return true;
    }
    if (--any_depth_ == 0) {
      any_.Finish(any_slot_);
      ValueDone();
    }
    return true;
  }

  // Records the first type error and goes on reading, so that a later syntax error still
  // wins (as when the whole text is parsed before it is decoded).
  bool TypeError(const std::string& got, const Type& expected) {
    failed_ = true;
    // What is stored so far stays, as when a tree is walked until the error; but a map
    // gains no entry for the value that failed inside it.
    for (const Frame& f : frames_) {
      if (f.type->kind == Kind::kMap && f.object) f.type->drop_entry(f.object);
    }
    if (frames_.empty()) {
      error_ = "cannot unmarshal " + got.substr(0, got.find(' ')) + " into " + go_type_;
      return true;
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
    error_ = path + ": cannot unmarshal " + got + " into a value of type " + expected.expected;
    return true;
  }

  const PickFields* want_;
  const char* go_type_;
  int depth_limit_;
  Dest next_;
  std::vector<Frame> frames_;
  int depth_ = 0;
  bool exceeded_ = false;
  bool failed_ = false;
  std::string error_;
  size_t skip_depth_ = 0;
  size_t any_depth_ = 0;
  AnyValue* any_slot_ = nullptr;
  AnyTree any_;
  MapIndexes map_indexes_;
};

// Reads `body` (copied into `buffer`) with the parse `kFlags` into `decoder`.
template <unsigned kFlags>
rj::ParseResult Parse(std::string_view body, bool rewrite_surrogates, ParseBuffer* buffer,
                      StreamDecoder* decoder) {
  char* text = buffer->Fill(body);
  // Go turns an escaped lone surrogate into U+FFFD; RapidJSON rejects a lone high one and
  // passes a lone low one through as invalid UTF-8.
  if (rewrite_surrogates) ReplaceLoneSurrogates(text, body.size());
  rj::GenericReader<rj::UTF8<>, rj::UTF8<>> reader;
  rj::InsituStringStream stream(text);
  return reader.Parse<kFlags>(stream, *decoder);
}

}  // namespace

template <class T>
DecodeStatus DecodeStream(std::string_view body, T* out, const char* go_type,
                          const PickFields* want) {
  // A NUL byte is never valid JSON (outside strings it is no token, inside it is an
  // unescaped control character); RapidJSON would read it as the end of the input.
  if (size_t nul = body.find('\0'); nul != std::string_view::npos) {
    return {"invalid JSON at byte " + std::to_string(nul) + ": NUL byte"};
  }
  const bool rewrite_surrogates = MayHoldSurrogateEscape(body);
  ParseBuffer buffer;
  // What the caller passed in, for a second reading (Go decodes into it, not into a zero value).
  T given = *out;
  {
    StreamDecoder decoder(&TypeOf<T>::value, out, go_type, want, kRecursionLimit);
    rj::ParseResult result = Parse<kFastFlags>(body, rewrite_surrogates, &buffer, &decoder);
    if (!result.IsError()) {
      if (decoder.failed()) return {decoder.error()};
      return {};
    }
  }
  // A syntax error or deep nesting: read again by the parse whose outcome is the contract.
  *out = given;
  StreamDecoder decoder(&TypeOf<T>::value, out, go_type, want, kMaxDepth);
  rj::ParseResult result = Parse<kExactFlags>(body, rewrite_surrogates, &buffer, &decoder);
  if (result.IsError()) {
    *out = std::move(given);  // Go checks the whole text before it stores anything
    if (result.Code() == rj::kParseErrorDocumentEmpty || result.Offset() >= body.size()) {
      return {"unexpected end of JSON input"};
    }
    std::string where = "invalid JSON at byte " + std::to_string(result.Offset()) + ": ";
    if (decoder.exceeded()) {
      return {where + "exceeded max nesting depth (" + std::to_string(kMaxDepth) + ")"};
    }
    return {where + rj::GetParseError_En(result.Code())};
  }
  if (decoder.failed()) return {decoder.error()};
  return {};
}

template DecodeStatus DecodeStream(std::string_view, PickRequest*, const char*, const PickFields*);
template DecodeStatus DecodeStream(std::string_view, UsageRecord*, const char*, const PickFields*);
template DecodeStatus DecodeStream(std::string_view, Registration*, const char*, const PickFields*);
template DecodeStatus DecodeStream(std::string_view, PickResult*, const char*, const PickFields*);

}  // namespace cliproxy::json::internal

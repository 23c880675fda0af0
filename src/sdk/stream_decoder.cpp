#include "sdk/stream_decoder.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cliproxy/base64.hpp"
#include "sdk/any_tree.hpp"
#include "sdk/go_text.hpp"
#include "sdk/json_number.hpp"
#include "sdk/json_reader.hpp"
#include "sdk/parser_pool.hpp"
#include "sdk/raw_json_writer.hpp"
#include "sdk/simdjson_walk.hpp"
#include "sdk/tape_decoder.hpp"
#include "sdk/wire_type_table.hpp"

// The decoder proper: a handler of parse events (StreamDecoder) that writes each value
// straight into the wire struct through the type tables of wire_type_table.hpp, driven by
// simdjson (the fast path) or JsonReader (the exact path, whose outcome is the contract).

namespace cliproxy::json::internal {
namespace {

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

  // What the fast path may leave out (WalkSimdjson): the object or array that starts now,
  // when it would be read into nothing and every value of it is accepted (kAnything), or
  // every value that is a string or null (kStringsOrNull; others take the events, for
  // their error). The walker then calls Discarded() instead of the container's events.
  // The exact path (JsonReader) never asks.
  Discard DiscardNext(bool object) {
    if (Passive()) return untyped_ == Untyped::kSkip ? Discard::kAnything : Discard::kNo;
    const Dest d = Next();
    if (d.slot != nullptr) return Discard::kNo;
    switch (d.type->kind) {
      case Kind::kSkip:
      case Kind::kAny:
        return Discard::kAnything;
      case Kind::kMap:
      case Kind::kSlice: {
        if (object != (d.type->kind == Kind::kMap)) return Discard::kNo;
        const Kind element = d.type->element->kind;
        if (element == Kind::kAny || element == Kind::kSkip) return Discard::kAnything;
        if (element == Kind::kString) return Discard::kStringsOrNull;
        return Discard::kNo;
      }
      default:
        return Discard::kNo;
    }
  }
  void Discarded() {
    if (!Passive()) ValueDone();
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
        if (d.slot) AssignAnyNumber(n.AsDouble(), static_cast<AnyValue*>(d.slot));
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
      if (d.type->kind != Kind::kStruct) {
        AssignNull(*d.type, d.slot);
      } else if (bool* present = std::exchange(next_present_, nullptr)) {
        d.type->reset(d.slot);  // Go's pointer to a struct: null makes it nil
        *present = false;
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
        if (d.slot) AssignAnyBool(b, static_cast<AnyValue*>(d.slot));
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
        if (d.slot) AssignAnyString(s, static_cast<AnyValue*>(d.slot));
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

// The fast path: simdjson reads the body (into its own padded copy, kept with the
// parser); its document is decoded by the types first (tape_decoder.hpp), and when that
// gives up, by walking its events into `decoder`. True if simdjson accepted `body` and one
// of the two decoded it without an error; `restore` puts the output back as it was given
// before the walk (the first try may have written part of it).
template <class Restore>
bool DecodeFast(std::string_view body, const Type& type, void* out, const PickFields* want,
                StreamDecoder* decoder, const Restore& restore) {
  ParserPool& pool = Parsers();
  std::unique_ptr<simdjson::dom::parser> parser = pool.Take();
  simdjson::dom::element root;
  bool ok = parser->parse(body.data(), body.size(), true).get(root) == simdjson::SUCCESS;
  if (ok && !DecodeTape(root, type, out, want)) {
    restore();
    ok = WalkSimdjson(root, *decoder) && !decoder->failed();
  }
  pool.Give(std::move(parser));
  return ok;
}

}  // namespace

template <class T>
DecodeStatus DecodeStream(std::string_view body, T* out, const char* go_type,
                          const PickFields* want, DecodePath path) {
  // What the caller passed in, for a second reading (Go decodes into it, not into a zero value).
  T given = *out;
  // Raw JSON members keep their numbers' literal text, which only JsonReader reports; and
  // simdjson passes an escaped lone low surrogate through where Go writes U+FFFD.
  constexpr bool kHasRawJson = std::is_same_v<T, Envelope>;
  if (path != DecodePath::kExactOnly && !kHasRawJson && !body.empty() &&
      body.size() <= kFastPathLimit && !MayHoldSurrogateEscape(body)) {
    StreamDecoder decoder(&TypeOf<T>::value, out, go_type, want, kFastDepthLimit);
    if (DecodeFast(body, TypeOf<T>::value, out, want, &decoder, [&] { *out = given; })) return {};
    *out = given;
  }
  if (path == DecodePath::kFastOnly) return {kFastPathRefused};
  // A NUL byte is never valid JSON (outside strings it is no token, inside it is an
  // unescaped control character, which simdjson refuses too, so the fast path never
  // pays for this scan); the message names it.
  if (size_t nul = body.find('\0'); nul != std::string_view::npos) {
    return {"invalid JSON at byte " + std::to_string(nul) + ": NUL byte"};
  }
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
template DecodeStatus DecodeStream(std::string_view, Explanation*, const char*, const PickFields*,
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

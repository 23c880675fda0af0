// AnyTree: an `any` object or array being read, kept so that it can be written back as Go
// writes a value it decoded into an `any`: numbers as float64, objects as maps (keys
// sorted bytewise, the last duplicate wins), strings with invalid UTF-8 replaced and
// escaped as Go escapes them (AnyValue::text).
//
// The reader's events for one value go in (String for keys and strings alike, the other
// scalars, End* with the count of what the container holds); Finish() writes the text.
// Writing is iterative: a value may nest as deep as the reader allows.
//
// Thread-safety: one tree per decode.
#ifndef CLIPROXY_SRC_SDK_ANY_TREE_HPP_
#define CLIPROXY_SRC_SDK_ANY_TREE_HPP_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cliproxy/types.hpp"

namespace cliproxy::json::internal {

class AnyTree {
 public:
  void Null() { Scalar("null"); }
  void Bool(bool b) { Scalar(b ? "true" : "false"); }
  void Number(double value);
  // A string value, or an object's key (the event before its value).
  void String(std::string_view raw);
  void EndObject(size_t members) { Close(Node::Kind::kObject, 2 * members); }
  void EndArray(size_t elements) { Close(Node::Kind::kArray, elements); }
  // Writes the finished value (the container closed last) into `out` and forgets it.
  void Finish(AnyValue* out);

 private:
  struct Node {
    enum class Kind : uint8_t { kScalar, kString, kArray, kObject };
    Kind kind;
    std::string text;                // a scalar's JSON text; a string's bytes as read
    std::vector<uint32_t> children;  // arrays: elements; objects: key, value, key, value...
  };

  void Scalar(std::string_view text) {
    nodes_.push_back({Node::Kind::kScalar, std::string(text), {}});
    stack_.push_back(static_cast<uint32_t>(nodes_.size() - 1));
  }
  void Close(Node::Kind kind, size_t children);
  void Write(uint32_t root, std::string* out) const;

  std::vector<Node> nodes_;
  std::vector<uint32_t> stack_;  // values read and not yet placed in their container
};

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_ANY_TREE_HPP_

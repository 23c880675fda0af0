#include "sdk/parser_pool.hpp"

#include <cstddef>

namespace cliproxy::json::internal {
namespace {

// A parser that grew beyond this is dropped after use rather than kept for the next call,
// and at most kKeptParsers are kept: a parser holds about 14 bytes per byte of capacity
// (its tape, string buffer and structural index), so the pool keeps at most about 28 MB,
// and about 0.6 MB per parser for the 40 KB bodies of a 100-candidate pick.
constexpr size_t kKeptParserCapacity = size_t{256} << 10;
constexpr size_t kKeptParsers = 8;

}  // namespace

std::unique_ptr<simdjson::dom::parser> ParserPool::Take() {
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

void ParserPool::Give(std::unique_ptr<simdjson::dom::parser> parser) {
  if (parser->capacity() > kKeptParserCapacity) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < kKeptParsers) idle_.push_back(std::move(parser));
}

ParserPool& Parsers() {
  static auto* pool = new ParserPool();  // never destroyed: calls may outlive static teardown
  return *pool;
}

}  // namespace cliproxy::json::internal

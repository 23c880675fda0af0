// simdjson parsers kept between decodes, so that a pick does not allocate one.
//
// Thread-safety: Take and Give may be called from any number of threads (one mutex, held
// only to move a pointer).
#ifndef CLIPROXY_SRC_SDK_PARSER_POOL_HPP_
#define CLIPROXY_SRC_SDK_PARSER_POOL_HPP_

#include <memory>
#include <mutex>
#include <vector>

#include <simdjson.h>

namespace cliproxy::json::internal {

class ParserPool {
 public:
  // An idle parser, or a new one.
  std::unique_ptr<simdjson::dom::parser> Take();
  // Keeps `parser` for a later Take, unless it grew large or enough are kept already.
  void Give(std::unique_ptr<simdjson::dom::parser> parser);

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> idle_;
};

// The process's pool (never destroyed: calls may outlive static teardown).
ParserPool& Parsers();

}  // namespace cliproxy::json::internal

#endif  // CLIPROXY_SRC_SDK_PARSER_POOL_HPP_

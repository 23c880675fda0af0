#include "cliproxy/types.hpp"

#include "cliproxy/text.hpp"

namespace cliproxy {

const Slice<std::string>* FindHeader(const HeaderMap& headers, std::string_view name) {
  for (const auto& [key, values] : headers) {
    if (EqualsAsciiFold(key, name)) return &values;
  }
  return nullptr;
}

}  // namespace cliproxy

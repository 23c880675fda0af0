// The decoder's two paths agree: whatever the fast path (simdjson) accepts, the exact path
// (JsonReader, the contract) accepts too, with the same decoded value. A disagreement
// aborts: it would make a pick depend on which parser happened to read it.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cliproxy/json.hpp"
#include "sdk/stream_decoder.hpp"

namespace {

using cliproxy::json::internal::DecodePath;
using cliproxy::json::internal::DecodeStream;

// `want`: the pick fields stored (null: all). With fewer, the fast path leaves out the
// containers it only has to check (simdjson_walk.hpp), and must still refuse what Go refuses.
template <class T, class Encode>
void Compare(std::string_view body, const char* what, Encode encode,
             const cliproxy::json::PickFields* want = nullptr) {
  T fast;
  if (!DecodeStream(body, &fast, what, want, DecodePath::kFastOnly).ok()) return;
  T exact;
  const cliproxy::json::DecodeStatus status =
      DecodeStream(body, &exact, what, want, DecodePath::kExactOnly);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: the fast path accepted what the exact path refuses: %s\n", what,
                 status.message.c_str());
    std::abort();
  }
  if (encode(fast) != encode(exact)) {
    std::fprintf(stderr, "%s: the paths decoded different values:\n%s\n%s\n", what,
                 encode(fast).c_str(), encode(exact).c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Compare<cliproxy::PickRequest>(body, "pick", [](const cliproxy::PickRequest& r) {
    return cliproxy::json::EncodePickRequest(r);
  });
  const cliproxy::json::PickFields ids_only = cliproxy::json::PickFields::CandidateIds();
  Compare<cliproxy::PickRequest>(
      body, "pick",
      [](const cliproxy::PickRequest& r) { return cliproxy::json::EncodePickRequest(r); },
      &ids_only);
  Compare<cliproxy::UsageRecord>(body, "usage", [](const cliproxy::UsageRecord& r) {
    return cliproxy::json::EncodeUsageRecord(r);
  });
  return 0;
}

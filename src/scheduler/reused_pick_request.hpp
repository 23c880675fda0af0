// ReusedPickRequest: the request of one pick, decoded into storage that the calling thread
// keeps between its picks, so that the candidate list keeps its capacity. A 100-candidate
// request otherwise allocates and frees a 17 KB array on every pick, which also makes
// malloc consolidate its free lists each time (about a tenth of a real pick's cost).
//
// Each use starts from the zero value (Go decodes into a fresh request) and is reset again
// when it ends, so nothing of a request (its headers, say) stays behind for longer than
// the pick. Only the capacity of the candidate list carries over, up to kKeptCandidates:
// a thread keeps at most about 170 KB. A thread whose storage is in use (a pick within a
// pick: not expected) gets a fresh request.
//
// Thread-safety: an object belongs to the thread that made it and lives within one call.
#ifndef CLIPROXY_SRC_SCHEDULER_REUSED_PICK_REQUEST_HPP_
#define CLIPROXY_SRC_SCHEDULER_REUSED_PICK_REQUEST_HPP_

#include <cstddef>
#include <memory>

#include "cliproxy/types.hpp"

namespace cliproxy::scheduler {

class ReusedPickRequest {
 public:
  static constexpr size_t kKeptCandidates = 1024;

  ReusedPickRequest();
  ~ReusedPickRequest();
  ReusedPickRequest(const ReusedPickRequest&) = delete;
  ReusedPickRequest& operator=(const ReusedPickRequest&) = delete;

  PickRequest& get() { return *request_; }

 private:
  std::unique_ptr<PickRequest> own_;  // when the thread's storage is in use
  PickRequest* request_;
};

}  // namespace cliproxy::scheduler

#endif  // CLIPROXY_SRC_SCHEDULER_REUSED_PICK_REQUEST_HPP_

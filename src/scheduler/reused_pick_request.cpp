#include "scheduler/reused_pick_request.hpp"

#include <utility>

namespace cliproxy::scheduler {
namespace {

struct ThreadStorage {
  PickRequest request;
  bool busy = false;
};

ThreadStorage& Storage() {
  thread_local ThreadStorage storage;
  return storage;
}

// The zero value, keeping the candidate list's capacity (up to kKeptCandidates).
void Reset(PickRequest* request) {
  Slice<Candidate> candidates = std::move(request->candidates);
  candidates.clear();
  candidates.empty_not_null = false;
  *request = PickRequest{};
  if (candidates.capacity() <= ReusedPickRequest::kKeptCandidates) {
    request->candidates = std::move(candidates);
  }
}

}  // namespace

ReusedPickRequest::ReusedPickRequest() {
  ThreadStorage& storage = Storage();
  if (storage.busy) {
    own_ = std::make_unique<PickRequest>();
    request_ = own_.get();
    return;
  }
  storage.busy = true;
  request_ = &storage.request;
}

ReusedPickRequest::~ReusedPickRequest() {
  if (own_) return;
  ThreadStorage& storage = Storage();
  Reset(&storage.request);
  storage.busy = false;
}

}  // namespace cliproxy::scheduler

// The pick request cpa-sched sends: read from a JSON file (exactly as a host would send it)
// or built from command-line flags.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_PICK_REQUEST_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_PICK_REQUEST_HPP_

#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"
#include "cliproxy/types.hpp"

namespace cpa_sched {

struct PickFlags {
  std::string model;
  // One provider, or several joined with "," for a mixed route (Provider is then "").
  std::string provider;
  bool stream = false;
  std::vector<std::string> candidates;  // ID or ID:priority
  std::vector<std::string> headers;     // "Name: value"
  std::vector<std::string> metadata;    // key=value
};

// Builds a request the way CLIProxyAPI fills one: Providers from the route, each candidate
// "active" with the route's provider (the first, for a mixed route) and, when a priority is
// given, the attribute "priority".
cliproxy::host::Status BuildPickRequest(const PickFlags& flags, cliproxy::PickRequest* out);

// Reads a scheduler.pick body (Go field names; see testdata/pick-*.json).
cliproxy::host::Status ReadPickRequest(const std::string& path, cliproxy::PickRequest* out);

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_PICK_REQUEST_HPP_

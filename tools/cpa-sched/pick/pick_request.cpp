#include "pick/pick_request.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "cliproxy/json.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::Status;

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// "ID" or "ID:priority"; an ID may itself contain ':' when no integer follows the last one.
cliproxy::Candidate ParseCandidate(const std::string& spec, const std::string& provider) {
  cliproxy::Candidate candidate;
  candidate.id = spec;
  candidate.provider = provider;
  candidate.status = "active";
  size_t colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size()) {
    int64_t priority = 0;
    const char* first = spec.data() + colon + 1;
    const char* last = spec.data() + spec.size();
    auto [end, error] = std::from_chars(first, last, priority);
    if (error == std::errc() && end == last) {
      candidate.id = spec.substr(0, colon);
      candidate.priority = priority;
      candidate.attributes.Set("priority", std::to_string(priority));
    }
  }
  return candidate;
}

}  // namespace

Status BuildPickRequest(const PickFlags& flags, cliproxy::PickRequest* out) {
  cliproxy::PickRequest request;
  request.model = flags.model;
  request.stream = flags.stream;
  std::stringstream providers(flags.provider);
  for (std::string p; std::getline(providers, p, ',');) {
    if (!Trim(p).empty()) request.providers.push_back(Trim(p));
  }
  if (request.providers.size() == 1) request.provider = request.providers[0];
  std::string candidate_provider = request.providers.empty() ? "" : request.providers[0];
  for (const std::string& spec : flags.candidates) {
    if (spec.empty()) return Status::Error("--candidate needs an ID");
    request.candidates.push_back(ParseCandidate(spec, candidate_provider));
  }
  for (const std::string& header : flags.headers) {
    size_t colon = header.find(':');
    if (colon == std::string::npos || Trim(header.substr(0, colon)).empty()) {
      return Status::Error("--header wants 'Name: value', got '" + header + "'");
    }
    std::string name = Trim(header.substr(0, colon));
    std::string value = Trim(header.substr(colon + 1));
    cliproxy::Slice<std::string> values;
    if (const auto* existing = request.options.headers.Find(name)) values = *existing;
    values.push_back(value);
    request.options.headers.Set(name, std::move(values));
  }
  for (const std::string& pair : flags.metadata) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Error("--metadata wants key=value, got '" + pair + "'");
    }
    request.options.metadata.Set(pair.substr(0, eq),
                                 cliproxy::AnyValue::String(pair.substr(eq + 1)));
  }
  *out = std::move(request);
  return {};
}

Status ReadPickRequest(const std::string& path, cliproxy::PickRequest* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read request " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  cliproxy::PickRequest request;
  cliproxy::json::DecodeStatus decoded =
      cliproxy::json::DecodePickRequest(buffer.str(), &request, cliproxy::json::PickFields::All());
  if (!decoded) return Status::Error(path + ": not a scheduler.pick request: " + decoded.message);
  *out = std::move(request);
  return {};
}

}  // namespace cpa_sched

// cliproxy/host/status.hpp -- the outcome of a plugin host operation.
//
// A Status is success or an error message meant for a person: it names the plugin file or
// id and says what went wrong ("/p/x.so: plugin ABI version 2 is not supported"). The host
// reports every failure this way; nothing in libcliproxy_host throws across its API for an
// expected failure (a bad plugin, a bad reply, a refused registration).
//
// Thread-safety: a plain value.
#ifndef CLIPROXY_HOST_STATUS_HPP_
#define CLIPROXY_HOST_STATUS_HPP_

#include <string>
#include <utility>

namespace cliproxy::host {

class Status {
 public:
  Status() = default;  // success
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  // Empty on success.
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}

  bool failed_ = false;
  std::string message_;
};

}  // namespace cliproxy::host

#endif  // CLIPROXY_HOST_STATUS_HPP_

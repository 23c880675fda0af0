// A fleet of CLIProxyAPI instances for `cpa-sched simulate --instances N`: N plugin hosts,
// each with its own instance of the plugin, as N proxy processes behind a load balancer
// would have.
//
// Why copies of the plugin file rather than child processes: the host keeps one plugin
// per loaded library, and the dynamic loader one image per file (by path, device and
// inode), so instance i > 0 loads its own copy of the file (a temporary directory, removed
// by the destructor). Each copy has its own globals, store thread and Redis instance ID:
// what the plugin shares, it can only share through its store, as separate processes
// would. One process keeps the simulation single-threaded and deterministic (one loop
// picks on every instance in turn, no IPC to serialize requests and outcomes through),
// and every instance goes through the same host normalization and built-ins as `simulate`
// without --instances. The cost: a copy of the file per instance (disk, and memory once
// mapped), hence the bound kMaxFleetInstances.
//
// Exchange() calls `scheduler.state.sync` on every instance in turn; with the Redis store
// each pushes its usage and reads the others' (an instance later in the turn sees the
// earlier ones' newest state, an earlier one sees the later ones' at the next turn: what a
// pick sees of another instance is at most one exchange old, as with instances exchanging
// on their own clocks). With the memory store it answers at once.
//
// Thread-safety: not shared between threads.
#ifndef CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_HPP_
#define CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_HPP_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cliproxy/host/plugin_host.hpp"

namespace cpa_sched {

inline constexpr int kMaxFleetInstances = 32;

// The copies of a plugin file, one per instance (instance 0 uses the file itself).
class PluginCopies {
 public:
  PluginCopies() = default;
  ~PluginCopies();
  PluginCopies(const PluginCopies&) = delete;
  PluginCopies& operator=(const PluginCopies&) = delete;

  cliproxy::host::Status Make(const std::string& plugin, int instances);
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::string dir_;
  std::vector<std::string> paths_;
};

class PluginFleet {
 public:
  // Loads one plugin per path as `id`, each in its own host with `options` and `settings`.
  // Fails (with the instance and the host's message) when one does not load or register.
  cliproxy::host::Status Load(const std::vector<std::string>& paths, const std::string& id,
                              const cliproxy::host::HostOptions& options,
                              const cliproxy::host::PluginSettings& settings);
  // Unloads every plugin (a Redis store closes its connection).
  ~PluginFleet();

  std::vector<cliproxy::host::PluginHost*> hosts() const;
  // The plugin's state on each instance (a fuse during the run shows there).
  std::vector<cliproxy::host::PluginInfo> Infos() const;

  // One exchange: scheduler.state.sync on every instance in turn. After kMaxFailedRounds
  // rounds in a row with a sync that did not complete (a Redis that does not answer makes
  // each wait up to its time-out), the calls stop and every later one counts as not
  // synced: a run never waits on a dead server for long.
  void Exchange();
  static constexpr int kMaxFailedRounds = 3;
  int64_t exchanges() const { return exchanges_; }
  int64_t unsynced() const { return unsynced_; }  // syncs that did not complete

 private:
  std::string id_;
  std::vector<std::unique_ptr<cliproxy::host::PluginHost>> hosts_;
  int64_t exchanges_ = 0;
  int64_t unsynced_ = 0;
  int failed_rounds_ = 0;
};

}  // namespace cpa_sched

#endif  // CLIPROXY_TOOLS_CPA_SCHED_SIMULATE_FLEET_HPP_

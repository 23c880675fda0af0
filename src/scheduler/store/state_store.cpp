#include "scheduler/store/state_store.hpp"

#include "scheduler/store/file_store.hpp"
#include "scheduler/store/memory_store.hpp"
#include "scheduler/store/redis_store.hpp"

namespace cliproxy::scheduler {

StoreTime StoreTime::Now() {
  StoreTime t;
  t.now = Clock::now();
  t.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return t;
}

std::vector<std::shared_ptr<StoredState>> LiveStates(
    std::vector<std::weak_ptr<StoredState>>* attached) {
  std::erase_if(*attached, [](const std::weak_ptr<StoredState>& w) { return w.expired(); });
  std::vector<std::shared_ptr<StoredState>> live;
  live.reserve(attached->size());
  for (const auto& w : *attached) {
    if (auto s = w.lock()) live.push_back(std::move(s));
  }
  return live;
}

std::shared_ptr<StateStore> MakeStateStore(const StoreConfig& config,
                                           std::shared_ptr<const Logger> logger) {
#ifdef CLIPROXY_FUZZ_MEMORY_STORES
  // The fuzz targets' build (CMakeLists.txt): no file written, no connection opened.
  if (config.kind != StoreConfig::Kind::kMemory) return std::make_shared<MemoryStore>(config);
#endif
  switch (config.kind) {
    case StoreConfig::Kind::kFile:
      return std::make_shared<FileStore>(config, std::move(logger));
    case StoreConfig::Kind::kRedis:
      return std::make_shared<RedisStore>(config, std::move(logger));
    case StoreConfig::Kind::kMemory:
      break;
  }
  return std::make_shared<MemoryStore>(config);
}

}  // namespace cliproxy::scheduler

#include "scheduler/store/store_config.hpp"

#include <charconv>
#include <optional>

#include "base/duration.hpp"

namespace cliproxy::scheduler {
namespace {

bool ParseInt(std::string_view text, int min, int max, int* out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return false;
  *out = v;
  return true;
}

// redis://[[user]:password@]host[:port][/db]
std::optional<RedisAddress> ParseRedisUrl(std::string_view url, std::string* error) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    *error = "expected redis://host:port/db";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisAddress a;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view user_info = rest.substr(0, at);
    size_t colon = user_info.find(':');
    if (colon != std::string_view::npos) a.user = std::string(user_info.substr(0, colon));
    a.password =
        std::string(colon == std::string_view::npos ? user_info : user_info.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view db;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!ParseInt(rest.substr(colon + 1), 1, 65535, &a.port)) {
      *error = "the port must be a number from 1 to 65535";
      return std::nullopt;
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    *error = "the host is missing (expected redis://host:port/db)";
    return std::nullopt;
  }
  a.host = std::string(rest);
  if (!db.empty() && !ParseInt(db, 0, 1 << 20, &a.db)) {
    *error = "the database must be a number";
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::string RedisAddress::Display() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

StoreConfig ParseStoreConfig(const YamlReader& value) {
  StoreConfig c;
  if (value.IsNull()) return c;
  std::string store;
  std::optional<YamlReader> store_at, path, url, prefix, interval;
  value.ReadKeys("state", {
                              {"store",
                               [&](const YamlReader& v) {
                                 store = v.String();
                                 store_at = v;
                               }},
                              {"path", [&](const YamlReader& v) { path = v; }},
                              {"url", [&](const YamlReader& v) { url = v; }},
                              {"prefix", [&](const YamlReader& v) { prefix = v; }},
                              {"secret", [&](const YamlReader& v) { c.secret = v.String(); }},
                              {"interval", [&](const YamlReader& v) { interval = v; }},
                          });
  if (store.empty() || store == "memory") {
    c.kind = StoreConfig::Kind::kMemory;
  } else if (store == "file") {
    c.kind = StoreConfig::Kind::kFile;
  } else if (store == "redis") {
    c.kind = StoreConfig::Kind::kRedis;
  } else {
    store_at->Fail("unknown store \"" + store + "\" (known: memory, file, redis)");
  }
  if (path) {
    if (c.kind != StoreConfig::Kind::kFile) path->Fail("only read with `store: file`");
    c.path = path->String();
  }
  if (c.kind == StoreConfig::Kind::kFile && c.path.empty()) {
    if (path) path->Fail("must not be empty");
    value.Fail("`store: file` needs a `path`");
  }
  if (url) {
    if (c.kind != StoreConfig::Kind::kRedis) url->Fail("only read with `store: redis`");
    std::string error;
    std::optional<RedisAddress> a = ParseRedisUrl(url->String(), &error);
    if (!a) url->Fail(error);  // the URL itself is not repeated: it may hold a password
    c.redis = *a;
  }
  if (prefix) {
    c.prefix = prefix->String();
    if (c.prefix.empty()) prefix->Fail("must not be empty");
    for (char ch : c.prefix) {
      if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) {
        prefix->Fail("must not contain spaces or control characters");
      }
    }
  }
  if (interval) {
    std::string error;
    std::optional<std::chrono::milliseconds> d = ParseDuration(interval->String(), &error);
    if (!d) interval->Fail(error);
    if (*d < std::chrono::milliseconds(10) || *d > std::chrono::minutes(10)) {
      interval->Fail("must be from 10ms to 10m");
    }
    c.interval = *d;
  }
  return c;
}

}  // namespace cliproxy::scheduler

#include "scheduler/quota/rate_limit_headers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "base/duration.hpp"
#include "base/rfc3339.hpp"
#include "cliproxy/text.hpp"

namespace cliproxy::scheduler {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
// Resets and retry-after beyond this are not believed (the longest windows are weekly).
constexpr int64_t kMaxAheadNs = 31LL * 24 * 3600 * kNsPerSecond;

// The first value of header `name`, trimmed; empty when absent.
std::string_view Header(const HeaderMap& headers, std::string_view name) {
  const Slice<std::string>* values = FindHeader(headers, name);
  if (values == nullptr || values->empty()) return {};
  return TrimSpace(values->front());
}

std::optional<double> Number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> Integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A reset time, if it lies between now and kMaxAheadNs later (a reset in the past means
// the window has already started afresh: no reset to wait for).
std::optional<int64_t> Ahead(std::optional<int64_t> at, int64_t now) {
  if (!at || *at <= now || *at - now > kMaxAheadNs) return std::nullopt;
  return at;
}

std::optional<int64_t> UnixSeconds(std::string_view text) {
  const std::optional<int64_t> s = Integer(text);
  if (!s || *s <= 0 || *s > INT64_MAX / kNsPerSecond) return std::nullopt;
  return *s * kNsPerSecond;
}

std::optional<int64_t> SecondsFromNow(std::string_view text, int64_t now) {
  const std::optional<double> s = Number(text);
  if (!s || *s < 0 || *s * kNsPerSecond > static_cast<double>(kMaxAheadNs)) return std::nullopt;
  return now + static_cast<int64_t>(*s * kNsPerSecond);
}

std::optional<int64_t> GoDurationFromNow(std::string_view text, int64_t now) {
  std::string error;
  const auto d = ParseDuration(text, &error);
  if (!d) return std::nullopt;
  return now + static_cast<int64_t>(d->count()) * 1'000'000;
}

// An IMF-fixdate ("Sat, 05 Dec 2026 12:39:35 GMT"), as Retry-After may carry.
std::optional<int64_t> HttpDate(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  const std::string_view month = text.substr(8, 3);
  const auto it = std::find(std::begin(kMonths), std::end(kMonths), month);
  if (it == std::end(kMonths)) return std::nullopt;
  const int m = static_cast<int>(it - std::begin(kMonths)) + 1;
  std::string rfc3339 = std::string(text.substr(12, 4)) + "-" + (m < 10 ? "0" : "") +
                        std::to_string(m) + "-" + std::string(text.substr(5, 2)) + "T" +
                        std::string(text.substr(17, 8)) + "Z";
  return ParseRfc3339(rfc3339);
}

// remaining/limit -> the used share.
std::optional<double> UsedShare(std::string_view limit, std::string_view remaining) {
  const std::optional<double> l = Number(limit);
  const std::optional<double> r = Number(remaining);
  if (!l || !r || *l <= 0 || *r < 0) return std::nullopt;
  return std::clamp(1.0 - *r / *l, 0.0, 1.0);
}

void Add(QuotaObservation* out, QuotaWindow window) {
  if (!window.utilization && !window.reset_unix_ns && !window.rejected) return;
  out->windows.push_back(std::move(window));
}

void ReadAnthropicApi(const HeaderMap& h, int64_t now, QuotaObservation* out) {
  for (const char* kind : {"requests", "tokens", "input-tokens", "output-tokens"}) {
    const std::string prefix = std::string("anthropic-ratelimit-") + kind + "-";
    QuotaWindow w;
    w.name = kind;
    w.utilization = UsedShare(Header(h, prefix + "limit"), Header(h, prefix + "remaining"));
    w.reset_unix_ns = Ahead(ParseRfc3339(Header(h, prefix + "reset")), now);
    Add(out, std::move(w));
  }
}

void ReadAnthropicUnified(const HeaderMap& h, int64_t now, QuotaObservation* out) {
  struct Span {
    const char* name;
    int64_t length_ns;
  };
  for (const Span span :
       {Span{"5h", 5LL * 3600 * kNsPerSecond}, Span{"7d", 7LL * 24 * 3600 * kNsPerSecond}}) {
    const std::string prefix = std::string("anthropic-ratelimit-unified-") + span.name + "-";
    QuotaWindow w;
    w.name = span.name;
    if (std::optional<double> u = Number(Header(h, prefix + "utilization"))) {
      if (*u >= 0) w.utilization = std::min(*u, 1.0);
    }
    w.reset_unix_ns = Ahead(UnixSeconds(Header(h, prefix + "reset")), now);
    w.rejected = EqualsAsciiFold(Header(h, prefix + "status"), "rejected");
    const bool described = w.utilization || w.reset_unix_ns || w.rejected;
    if (described) w.length_ns = span.length_ns;
    Add(out, std::move(w));
  }
}

void ReadOpenAi(const HeaderMap& h, int64_t now, QuotaObservation* out) {
  for (const char* kind : {"requests", "tokens"}) {
    QuotaWindow w;
    w.name = kind;
    w.utilization = UsedShare(Header(h, std::string("x-ratelimit-limit-") + kind),
                              Header(h, std::string("x-ratelimit-remaining-") + kind));
    w.reset_unix_ns =
        Ahead(GoDurationFromNow(Header(h, std::string("x-ratelimit-reset-") + kind), now), now);
    Add(out, std::move(w));
  }
}

void ReadCodex(const HeaderMap& h, int64_t now, QuotaObservation* out) {
  for (const char* kind : {"primary", "secondary"}) {
    const std::string prefix = std::string("x-codex-") + kind + "-";
    QuotaWindow w;
    w.name = kind;
    if (std::optional<double> used = Number(Header(h, prefix + "used-percent"))) {
      if (*used >= 0) w.utilization = std::min(*used / 100.0, 1.0);
    }
    if (std::optional<int64_t> minutes = Integer(Header(h, prefix + "window-minutes"))) {
      if (*minutes > 0 && *minutes <= 60 * 24 * 31) w.length_ns = *minutes * 60 * kNsPerSecond;
    }
    w.reset_unix_ns = Ahead(SecondsFromNow(Header(h, prefix + "reset-after-seconds"), now), now);
    Add(out, std::move(w));
  }
}

// Anthropic's plans refuse on the windows whose status is "rejected": until the latest of
// their resets. An overall "rejected" without a rejected window names no window: until the
// overall reset (anthropic-ratelimit-unified-reset) if given, else the latest plan reset.
std::optional<int64_t> PlanRefusal(const HeaderMap& h, const QuotaObservation& seen, int64_t now) {
  std::optional<int64_t> rejected;
  std::optional<int64_t> any_plan;
  for (const QuotaWindow& w : seen.windows) {
    if (!w.reset_unix_ns || (w.name != "5h" && w.name != "7d")) continue;
    any_plan = std::max(any_plan.value_or(0), *w.reset_unix_ns);
    if (w.rejected) rejected = std::max(rejected.value_or(0), *w.reset_unix_ns);
  }
  if (rejected) return rejected;
  if (!EqualsAsciiFold(Header(h, "anthropic-ratelimit-unified-status"), "rejected")) {
    return std::nullopt;
  }
  if (std::optional<int64_t> overall =
          Ahead(UnixSeconds(Header(h, "anthropic-ratelimit-unified-reset")), now)) {
    return overall;
  }
  return any_plan;
}

}  // namespace

QuotaObservation ReadRateLimitHeaders(const HeaderMap& headers, int status, int64_t now_unix_ns) {
  QuotaObservation out;
  ReadAnthropicApi(headers, now_unix_ns, &out);
  ReadAnthropicUnified(headers, now_unix_ns, &out);
  ReadOpenAi(headers, now_unix_ns, &out);
  ReadCodex(headers, now_unix_ns, &out);
  if (status == 429 || status == 529) {
    const std::string_view retry = Header(headers, "retry-after");
    std::optional<int64_t> until = SecondsFromNow(retry, now_unix_ns);
    if (!until) until = Ahead(HttpDate(retry), now_unix_ns);
    out.refused_until_unix_ns = until;
  }
  if (!out.refused_until_unix_ns)
    out.refused_until_unix_ns = PlanRefusal(headers, out, now_unix_ns);
  return out;
}

}  // namespace cliproxy::scheduler

#include "simulate/simulate_html.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "base/html_escape.hpp"
#include "capability_list.hpp"
#include "simulate/simulate_text.hpp"
#include "simulate/simulate_time.hpp"

namespace cpa_sched {

using cliproxy::scheduler::HtmlEscape;

namespace {

// Ten colours that stay apart from one another (and from the grey of failed picks).
constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#2f4b7c"};
constexpr const char* kFailedColor = "#8c8c8c";
constexpr const char* kEventColor = "#e15759";  // out of service
constexpr const char* kSlowColor = "#c98a00";   // slow, still offered

std::string Color(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

std::string Num(double v) { return Fixed(v, 1); }

// A step of 1, 2 or 5 times a power of ten giving about `target` intervals over `range`.
double NiceStep(double range, int target) {
  if (range <= 0) return 1;
  double raw = range / target;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Time ticks fall on 1/2/5/10/15/30 seconds, minutes or hours.
int64_t TimeStep(int64_t range_ns) {
  static constexpr int64_t kS = 1'000'000'000;
  static constexpr int64_t kSteps[] = {
      kS / 10,   kS / 5,    kS / 2,    kS,         2 * kS,     5 * kS,     10 * kS,
      15 * kS,   30 * kS,   60 * kS,   120 * kS,   300 * kS,   600 * kS,   900 * kS,
      1800 * kS, 3600 * kS, 7200 * kS, 10800 * kS, 21600 * kS, 43200 * kS, 86400 * kS};
  for (int64_t step : kSteps) {
    if (range_ns / step <= 8) return step;
  }
  return 86400 * kS * (range_ns / (86400 * kS * 8) + 1);
}

std::string TimeLabel(int64_t ns) {
  int64_t tenths = ns / 100'000'000;
  int64_t s = tenths / 10;
  std::string out;
  if (tenths % 10 != 0) return Fixed(static_cast<double>(tenths) / 10, 1) + "s";
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) {
    out = std::to_string(s / 60) + "m";
    if (s % 60) out += std::to_string(s % 60) + "s";
    return out;
  }
  out = std::to_string(s / 3600) + "h";
  if (s % 3600) out += std::to_string(s / 60 % 60) + "m";
  return out;
}

struct Series {
  std::string label;
  std::string color;
  const std::vector<int64_t>* values;
};

// The chart's geometry: the plot area inside the SVG and the scales from simulated time
// (or a bucket) and pick counts to coordinates.
struct Plot {
  static constexpr double kWidth = 960, kHeight = 380;
  static constexpr double kLeft = 64, kRight = 16, kTop = 16, kBottom = 48;
  double w = kWidth - kLeft - kRight;
  double h = kHeight - kTop - kBottom;
  size_t buckets = 0;
  int64_t span_ns = 0;
  double y_step = 1;
  double y_max = 1;

  double XOfNs(int64_t ns) const {
    return kLeft + w * static_cast<double>(ns) / static_cast<double>(span_ns);
  }
  double XOfBucket(size_t b) const {
    return kLeft + w * (static_cast<double>(b) + 0.5) / static_cast<double>(buckets);
  }
  double YOf(double v) const { return kTop + h - h * v / y_max; }
};

std::vector<Series> ChartSeries(const Scenario& scenario, const SimulationResult& r) {
  std::vector<Series> series;
  for (size_t a = 0; a < scenario.accounts.size(); ++a) {
    series.push_back({scenario.accounts[a].id, Color(a), &r.accounts[a].bucket_picks});
  }
  if (r.failed > 0) series.push_back({"(failed)", kFailedColor, &r.bucket_failed});
  return series;
}

Plot MakePlot(const SimulationResult& r, const std::vector<Series>& series) {
  Plot plot;
  plot.buckets = r.bucket_failed.size();
  plot.span_ns = r.bucket_ns * static_cast<int64_t>(plot.buckets);
  std::vector<int64_t> totals(plot.buckets, 0);
  for (const Series& s : series) {
    for (size_t b = 0; b < plot.buckets; ++b) totals[b] += (*s.values)[b];
  }
  int64_t peak = std::max<int64_t>(1, *std::max_element(totals.begin(), totals.end()));
  plot.y_step = std::max(1.0, NiceStep(static_cast<double>(peak), 5));
  plot.y_max = std::ceil(static_cast<double>(peak) / plot.y_step) * plot.y_step;
  return plot;
}

// Event windows behind the data. Events with the same window and kind (and factor) share
// one band (one label naming every account); the labels of overlapping bands go on
// separate rows, into `labels` (drawn over the data). Slow windows are amber: the account
// is still offered.
void WriteEventBands(std::ostream& out, std::ostream& labels, const Plot& plot,
                     const Scenario& scenario) {
  struct Band {
    int64_t from, until;
    std::string kind;  // EventKindLabel
    std::string accounts;
    bool slow;
  };
  std::vector<Band> bands;
  for (const ScenarioEvent& e : scenario.events) {
    Band band{std::min(e.at_ns, plot.span_ns),
              std::min(e.until_ns.value_or(plot.span_ns), plot.span_ns), EventKindLabel(e),
              scenario.accounts[e.account].id, e.kind == EventKind::kSlow};
    if (band.until <= band.from) continue;
    auto same = std::find_if(bands.begin(), bands.end(), [&](const Band& b) {
      return b.from == band.from && b.until == band.until && b.kind == band.kind;
    });
    if (same != bands.end()) {
      same->accounts += ", " + band.accounts;
    } else {
      bands.push_back(band);
    }
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    const Band& b = bands[i];
    int row = 0;
    for (size_t j = 0; j < i; ++j) {
      if (bands[j].from < b.until && b.from < bands[j].until) ++row;
    }
    std::string label = b.accounts + " " + b.kind;
    const char* color = b.slow ? kSlowColor : kEventColor;
    out << "<rect class=\"event\" x=\"" << Num(plot.XOfNs(b.from)) << "\" y=\"" << Plot::kTop
        << "\" width=\"" << Num(plot.XOfNs(b.until) - plot.XOfNs(b.from)) << "\" height=\""
        << Num(plot.h) << "\" fill=\"" << color << "\" fill-opacity=\"0.08\" stroke=\"" << color
        << "\" stroke-opacity=\"0.35\" stroke-dasharray=\"4 3\"><title>" << HtmlEscape(label) << " "
        << HtmlEscape(FormatSimTime(b.from)) << " - " << HtmlEscape(FormatSimTime(b.until))
        << "</title></rect>\n";
    labels << "<text x=\"" << Num(plot.XOfNs(b.from) + 4) << "\" y=\"" << Plot::kTop + 12 + 13 * row
           << "\" class=\"event-label\">" << HtmlEscape(label) << "</text>\n";
  }
}

// Horizontal grid lines with the y labels.
void WriteGrid(std::ostream& out, const Plot& plot) {
  for (double v = 0; v <= plot.y_max + 1e-9; v += plot.y_step) {
    double y = plot.YOf(v);
    out << "<line x1=\"" << Plot::kLeft << "\" x2=\"" << Plot::kLeft + plot.w << "\" y1=\""
        << Num(y) << "\" y2=\"" << Num(y) << "\" stroke=\"#e3e3e3\"/>\n";
    out << "<text x=\"" << Plot::kLeft - 6 << "\" y=\"" << Num(y + 4)
        << "\" text-anchor=\"end\" class=\"tick\">" << Fixed(v, plot.y_step < 1 ? 1 : 0)
        << "</text>\n";
  }
}

// Stacked areas, the first series at the bottom.
void WriteStackedAreas(std::ostream& out, const Plot& plot, const std::vector<Series>& series) {
  std::vector<int64_t> below(plot.buckets, 0);
  for (const Series& s : series) {
    std::string top, bottom;
    for (size_t b = 0; b < plot.buckets; ++b) {
      double y = plot.YOf(static_cast<double>(below[b] + (*s.values)[b]));
      top += Num(plot.XOfBucket(b)) + "," + Num(y) + " ";
    }
    for (size_t b = plot.buckets; b-- > 0;) {
      bottom += Num(plot.XOfBucket(b)) + "," + Num(plot.YOf(static_cast<double>(below[b]))) + " ";
      below[b] += (*s.values)[b];
    }
    out << "<polygon points=\"" << top << bottom << "\" fill=\"" << s.color
        << "\" fill-opacity=\"0.85\" stroke=\"#fff\" stroke-width=\"0.6\"><title>"
        << HtmlEscape(s.label) << "</title></polygon>\n";
  }
}

// The axes, the time ticks and the axis titles.
// `y_label` names the vertical axis; empty: "picks per <bucket>".
void WriteAxes(std::ostream& out, const Plot& plot, int64_t bucket_ns,
               const std::string& y_label = "") {
  const double left = Plot::kLeft, top = Plot::kTop;
  out << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\""
      << top + plot.h << "\" stroke=\"#333\"/>\n";
  out << "<line x1=\"" << left << "\" x2=\"" << left + plot.w << "\" y1=\"" << top + plot.h
      << "\" y2=\"" << top + plot.h << "\" stroke=\"#333\"/>\n";
  int64_t x_step = TimeStep(plot.span_ns);
  for (int64_t t = 0; t <= plot.span_ns; t += x_step) {
    double x = plot.XOfNs(t);
    out << "<line x1=\"" << Num(x) << "\" x2=\"" << Num(x) << "\" y1=\"" << top + plot.h
        << "\" y2=\"" << top + plot.h + 5 << "\" stroke=\"#333\"/>\n";
    out << "<text x=\"" << Num(x) << "\" y=\"" << top + plot.h + 18
        << "\" text-anchor=\"middle\" class=\"tick\">" << TimeLabel(t) << "</text>\n";
  }
  out << "<text x=\"" << left + plot.w / 2 << "\" y=\"" << Plot::kHeight - 8
      << "\" text-anchor=\"middle\" class=\"axis\">simulated time</text>\n";
  out << "<text transform=\"translate(16 " << Num(top + plot.h / 2)
      << ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">"
      << HtmlEscape(y_label.empty() ? "picks per " + FormatSimTime(bucket_ns) : y_label)
      << "</text>\n";
}

// The legend: a swatch per series, and one per kind of event window shown.
void WriteLegend(std::ostream& out, const Scenario& scenario, const std::vector<Series>& series) {
  out << "<ul class=\"legend\">\n";
  for (const Series& s : series) {
    out << "<li><svg width=\"12\" height=\"12\" xmlns=\"http://www.w3.org/2000/svg\"><rect "
           "width=\"12\" height=\"12\" fill=\""
        << s.color << "\"/></svg>" << HtmlEscape(s.label) << "</li>\n";
  }
  bool outages = false, slow = false;
  for (const ScenarioEvent& e : scenario.events) {
    (e.kind == EventKind::kSlow ? slow : outages) = true;
  }
  auto window_key = [&](const char* color, const char* text) {
    out << "<li><svg width=\"12\" height=\"12\" xmlns=\"http://www.w3.org/2000/svg\"><rect "
           "width=\"12\" height=\"12\" fill=\""
        << color << "\" fill-opacity=\"0.15\" stroke=\"" << color
        << "\" stroke-dasharray=\"2 2\"/></svg>" << text << "</li>\n";
  };
  if (outages) window_key(kEventColor, "event window");
  if (slow) window_key(kSlowColor, "slow window");
  out << "</ul>\n";
}

// Picks per account over simulated time, stacked, with the event windows behind them.
void WriteChart(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  const std::vector<Series> series = ChartSeries(scenario, r);
  const Plot plot = MakePlot(r, series);
  out << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Plot::kWidth
      << "\" height=\"" << Plot::kHeight << "\" viewBox=\"0 0 " << Plot::kWidth << " "
      << Plot::kHeight << "\" role=\"img\" aria-label=\"picks per account over simulated time\">\n";
  out << "<rect x=\"" << Plot::kLeft << "\" y=\"" << Plot::kTop << "\" width=\"" << Num(plot.w)
      << "\" height=\"" << Num(plot.h) << "\" fill=\"#fbfbfb\" stroke=\"none\"/>\n";
  std::ostringstream labels;
  WriteEventBands(out, labels, plot, scenario);
  WriteGrid(out, plot);
  WriteStackedAreas(out, plot, series);
  out << labels.str();
  WriteAxes(out, plot, r.bucket_ns);
  out << "</svg>\n";
  WriteLegend(out, scenario, series);
}

void Table(std::ostream& out, const std::vector<std::string>& header,
           const std::vector<std::vector<std::string>>& rows, const std::string& align) {
  out << "<table>\n<thead><tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    out << "<th" << (i < align.size() && align[i] == 'r' ? " class=\"num\"" : "") << ">"
        << HtmlEscape(header[i]) << "</th>";
  }
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out << "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      out << "<td" << (i < align.size() && align[i] == 'r' ? " class=\"num\"" : "") << ">" << row[i]
          << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

// A share with a bar behind it (pure CSS).
std::string ShareCell(int64_t part, int64_t whole, const std::string& color) {
  double pct = whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return "<span class=\"bar\"><span style=\"width:" + Fixed(pct, 1) + "%;background:" + color +
         "\"></span></span>" + HtmlEscape(Percent(part, whole));
}

void WriteAccounts(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  const ScenarioUsage& usage = scenario.usage;
  std::vector<std::string> header = {"",        "account", "provider", "priority",
                                     "offered", "picks",   "share"};
  if (usage.enabled) {
    header.push_back("mean latency ms");
    if (usage.any_ttft) header.push_back("mean TTFT ms");
    header.push_back("tokens");
    if (usage.any_failures) header.push_back("failures");
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t a = 0; a < scenario.accounts.size(); ++a) {
    const AccountResult& s = r.accounts[a];
    std::vector<std::string> row = {
        "<span class=\"swatch\" style=\"background:" + Color(a) + "\"></span>",
        HtmlEscape(scenario.accounts[a].id),
        HtmlEscape(scenario.accounts[a].provider),
        std::to_string(scenario.accounts[a].priority),
        std::to_string(s.offered),
        std::to_string(s.picks),
        ShareCell(s.picks, r.requests, Color(a))};
    AppendUsageCells(usage, s, &row);
    rows.push_back(row);
  }
  rows.push_back(
      {"<span class=\"swatch\" style=\"background:" + std::string(kFailedColor) + "\"></span>",
       "(failed)", "", "", "", std::to_string(r.failed),
       ShareCell(r.failed, r.requests, kFailedColor)});
  Table(out, header, rows, "lllrrrlrrrr");
}

const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px}.meta dt{font-weight:600;float:left;clear:left;width:120px}.meta dd{margin:0 0 2px 130px}
table{border-collapse:collapse;margin:4px 0 8px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
th{background:#f4f4f4;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;width:120px;height:10px;background:#eee;margin-right:8px;vertical-align:middle}
.bar span{display:block;height:10px}
.swatch{display:inline-block;width:12px;height:12px;vertical-align:middle}
.chart{display:block;max-width:100%;height:auto}.chart .tick{font-size:11px;fill:#555}
.chart .axis{font-size:12px;fill:#333}.chart .event-label{font-size:11px;fill:#b0302f;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend{list-style:none;padding:0;margin:6px 0 0 64px;display:flex;flex-wrap:wrap;gap:4px 18px}
.legend li{display:flex;align-items:center;gap:6px}
.big{font-size:20px;font-weight:600}.note{color:#666}
code{background:#f4f4f4;padding:0 3px}
)";

// The document head, the title and what was simulated with which plugin.
void WriteHeader(std::ostream& out, const Scenario& scenario,
                 const cliproxy::host::PluginInfo& plugin, const SimulationResult& r) {
  const cliproxy::Registration& reg = plugin.registration;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>cpa-sched simulate: " << HtmlEscape(scenario.name) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n";
  out << "<h1>Simulation: " << HtmlEscape(scenario.name) << "</h1>\n";
  if (!scenario.description.empty()) {
    out << "<p class=\"note\">" << HtmlEscape(scenario.description) << "</p>\n";
  }
  out << "<dl class=\"meta\">\n"
      << "<dt>scenario</dt><dd><code>" << HtmlEscape(scenario.path) << "</code>, seed " << r.seed
      << "</dd>\n"
      << "<dt>plugin</dt><dd><code>" << HtmlEscape(plugin.id) << "</code> ("
      << HtmlEscape(plugin.path) << "), priority " << plugin.settings.priority << ", "
      << cliproxy::host::PluginStateName(plugin.state) << "</dd>\n"
      << "<dt>registration</dt><dd>" << HtmlEscape(reg.metadata.name) << " "
      << HtmlEscape(reg.metadata.version) << " by " << HtmlEscape(reg.metadata.author)
      << ", schema " << plugin.schema_version << ", capabilities "
      << HtmlEscape(CapabilityList(reg.capabilities)) << "</dd>\n"
      << "<dt>traffic</dt><dd>" << Plural(r.requests, "request") << " over "
      << HtmlEscape(FormatSimTime(r.duration_ns)) << " simulated, "
      << Plural(static_cast<int64_t>(scenario.accounts.size()), "account") << ", "
      << Plural(static_cast<int64_t>(scenario.events.size()), "event") << "; routing.strategy "
      << cliproxy::host::BuiltinStrategyName(scenario.routing_strategy) << "</dd>\n"
      << "</dl>\n";
}

// Jain's index over the accounts, plain and availability-adjusted.
void WriteFairness(std::ostream& out, const SimulationResult& r) {
  out << "<p><span class=\"big\">" << Fixed(r.jain, 4) << "</span> Jain's fairness index of "
      << "picks over " << Plural(static_cast<int64_t>(r.jain_accounts), "account")
      << " offered at least once (1 = perfectly even, 1/n = one account takes all); <span "
         "class=\"big\">"
      << Fixed(r.jain_offered, 4)
      << "</span> of picks per request that offered the account (availability-adjusted).</p>\n";
}

// How sessions kept their accounts (when the scenario has sessions).
void WriteSessions(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  if (scenario.traffic.sessions.count > 0) {
    const SessionResult& s = r.sessions;
    out << "<h2>Sessions</h2>\n";
    Table(out, {"measure", "value"},
          {{"sessions served", std::to_string(s.sessions)},
           {"requests of sessions served", std::to_string(s.requests)},
           {"kept their first account",
            HtmlEscape(Percent(s.kept, s.requests)) + " (" + std::to_string(s.kept) + ")"},
           {"moves", std::to_string(s.moves)},
           {"caused by events (previous account not offered)", std::to_string(s.forced)},
           {"not caused by events", std::to_string(s.moves - s.forced)},
           {"&nbsp;&nbsp;of which back to the first account", std::to_string(s.returns)}},
          "lr");
  }
}

// What the host made of each reply.
void WriteDecisions(std::ostream& out, const SimulationResult& r) {
  out << "<h2>Decisions</h2>\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t k = 0; k < kDecisionKinds; ++k) {
    rows.push_back({HtmlEscape(DecisionName(k)), std::to_string(r.decisions[k]),
                    HtmlEscape(Percent(r.decisions[k], r.requests))});
  }
  Table(out, {"decision", "picks", "share"}, rows, "lrr");
  out << "<p class=\"note\">Built-in picks (delegated, unhandled, invalid, fused): round-robin "
      << r.builtin_round_robin << ", fill-first " << r.builtin_fill_first << ".</p>\n";
}

// The errors clients got, by code.
void WriteErrors(std::ostream& out, const SimulationResult& r) {
  std::vector<std::vector<std::string>> rows;
  out << "<h2>Errors</h2>\n";
  if (r.errors.empty()) {
    out << "<p>None: every request was served.</p>\n";
  } else {
    for (const ErrorCount& e : r.errors) {
      rows.push_back({HtmlEscape(e.code), e.http_status > 0 ? std::to_string(e.http_status) : "-",
                      std::to_string(e.count), HtmlEscape(e.message)});
    }
    Table(out, {"code", "HTTP status", "count", "message (first seen)"}, rows, "lrrl");
  }
}

// Usage records delivered (when the scenario reports usage).
void WriteUsage(std::ostream& out, const Scenario& scenario, const cliproxy::Registration& reg,
                const SimulationResult& r) {
  if (scenario.usage.enabled) {
    out << "<h2>Usage</h2>\n<p>" << r.usage_records << " usage records, " << r.usage_deliveries
        << " <code>usage.handle</code> calls"
        << (reg.capabilities.usage_plugin ? "" : " (the plugin does not declare usage_plugin)")
        << (scenario.usage.any_failures
                ? "; " + std::to_string(r.usage_failures) + " records failed (<code>Failed</code>)"
                : "")
        << ".</p>\n";
  }
}

// Each quota window's use over time (one line per window, in its account's colour; the
// second window of an account dashed), and the table of windows (when accounts have some).
void WriteQuota(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  if (!scenario.usage.any_windows) return;
  const QuotaResult& q = r.quota;
  out << "<h2>Quota windows</h2>\n<p><span class=\"big\">" << q.served_before_first_429
      << "</span> requests served before the first 429"
      << (q.first_429_ns >= 0 ? " (at " + HtmlEscape(FormatSimTime(q.first_429_ns)) + ", " +
                                    HtmlEscape(q.first_429) + ")"
                              : std::string(" (none)"))
      << "; " << q.refusals << " 429s.</p>\n";
  Plot plot;
  plot.buckets = r.bucket_failed.size();
  plot.span_ns = r.bucket_ns * static_cast<int64_t>(plot.buckets);
  plot.y_step = 20;
  plot.y_max = 100;
  out << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Plot::kWidth
      << "\" height=\"" << Plot::kHeight << "\" viewBox=\"0 0 " << Plot::kWidth << " "
      << Plot::kHeight << "\" role=\"img\" aria-label=\"use of each quota window over time\">\n";
  out << "<rect x=\"" << Plot::kLeft << "\" y=\"" << Plot::kTop << "\" width=\"" << Num(plot.w)
      << "\" height=\"" << Num(plot.h) << "\" fill=\"#fbfbfb\" stroke=\"none\"/>\n";
  WriteGrid(out, plot);
  std::vector<size_t> seen(scenario.accounts.size(), 0);
  for (const WindowResult& w : q.windows) {
    out << "<polyline fill=\"none\" stroke=\"" << Color(w.account) << "\" stroke-width=\"2\""
        << (seen[w.account]++ > 0 ? " stroke-dasharray=\"6 4\"" : "") << " points=\"";
    for (size_t b = 0; b < w.bucket_use.size(); ++b) {
      out << (b ? " " : "") << Num(plot.XOfBucket(b)) << ","
          << Num(plot.YOf(100 * w.bucket_use[b]));
    }
    out << "\"><title>" << HtmlEscape(scenario.accounts[w.account].id + " " + w.name)
        << "</title></polyline>\n";
  }
  WriteAxes(out, plot, r.bucket_ns, "% of the window used");
  out << "</svg>\n<p class=\"note\">Use of each window (% of its capacity, the highest in each "
         "time bucket); dashed: an account's second window.</p>\n";
  std::vector<std::vector<std::string>> rows;
  for (const WindowResult& w : q.windows) {
    rows.push_back({"<span class=\"swatch\" style=\"background:" + Color(w.account) + "\"></span>",
                    HtmlEscape(scenario.accounts[w.account].id), HtmlEscape(w.name),
                    std::to_string(w.capacity), std::to_string(w.served),
                    std::to_string(w.refusals), std::to_string(w.resets),
                    std::to_string(w.unused_at_resets)});
  }
  Table(out, {"", "account", "window", "capacity", "served", "429s", "resets", "unused at resets"},
        rows, "lllrrrrr");
}

// Requests and accounts per tenant (when the scenario has tenants).
void WriteTenants(std::ostream& out, const Scenario& scenario, const SimulationResult& r) {
  std::vector<std::vector<std::string>> rows;
  if (!scenario.traffic.tenants.empty()) {
    out << "<h2>Tenants</h2>\n";
    for (size_t t = 0; t < scenario.traffic.tenants.size(); ++t) {
      const ScenarioTenant& tenant = scenario.traffic.tenants[t];
      const TenantResult& tr = r.tenants[t];
      std::string used;
      for (size_t a = 0; a < scenario.accounts.size(); ++a) {
        if (tr.picks[a] == 0) continue;
        used += (used.empty() ? "" : ", ") + HtmlEscape(scenario.accounts[a].id) + " " +
                std::to_string(tr.picks[a]);
      }
      rows.push_back(
          {HtmlEscape(tenant.name),
           tenant.caller_scope ? "<code>" + HtmlEscape(*tenant.caller_scope) + "</code>" : "(none)",
           std::to_string(tr.requests), std::to_string(tr.failed), used.empty() ? "-" : used});
    }
    Table(out, {"tenant", "caller_scope", "requests", "failed", "accounts used"}, rows, "llrrl");
  }
}

// The scenario's events (when it has any).
void WriteEvents(std::ostream& out, const Scenario& scenario) {
  std::vector<std::vector<std::string>> rows;
  if (!scenario.events.empty()) {
    out << "<h2>Events</h2>\n";
    for (const ScenarioEvent& e : scenario.events) {
      rows.push_back({HtmlEscape(FormatSimTime(e.at_ns)),
                      e.until_ns ? HtmlEscape(FormatSimTime(*e.until_ns)) : "end of run",
                      HtmlEscape(scenario.accounts[e.account].id), HtmlEscape(EventKindLabel(e))});
    }
    Table(out, {"from", "until", "account", "kind"}, rows, "rrll");
  }
}

// The host log, counted by message (when anything was logged).
void WriteLogs(std::ostream& out, const SimulationResult& r) {
  std::vector<std::vector<std::string>> rows;
  if (!r.logs.empty()) {
    out << "<h2>Host log</h2>\n";
    for (const LogCount& l : r.logs) {
      rows.push_back({std::string(cliproxy::host::LogLevelName(l.level)), std::to_string(l.count),
                      HtmlEscape(l.message)});
    }
    Table(out, {"level", "count", "message"}, rows, "lrl");
  }
}

}  // namespace

void WriteHtmlReport(std::ostream& out, const Scenario& scenario,
                     const cliproxy::host::PluginInfo& plugin, const SimulationResult& r) {
  WriteHeader(out, scenario, plugin, r);
  out << "<h2>Picks per account over time</h2>\n";
  WriteChart(out, scenario, r);
  out << "<h2>Accounts</h2>\n";
  WriteAccounts(out, scenario, r);
  WriteFairness(out, r);
  WriteSessions(out, scenario, r);
  WriteDecisions(out, r);
  WriteErrors(out, r);
  WriteUsage(out, scenario, plugin.registration, r);
  WriteQuota(out, scenario, r);
  WriteTenants(out, scenario, r);
  WriteEvents(out, scenario);
  WriteLogs(out, r);
  out << "<p class=\"note\">Written by <code>cpa-sched simulate</code>. Same plugin, "
         "configuration, scenario and seed: same report.</p>\n";
  out << "</body>\n</html>\n";
}

}  // namespace cpa_sched

#include "scheduler/status/status_page.hpp"

#include "cliproxy/json.hpp"

namespace cliproxy::scheduler {
namespace {

// clang-format off
constexpr std::string_view kHead = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scheduler status</title>
<style>
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f8f9fb; --card:#fff;
        --auth:#2e9e5b; --delegate:#3a7bd5; --unhandled:#a0a7b4; --error:#d64545; --quota:#c77d12; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { padding:16px 24px; background:var(--card); border-bottom:1px solid var(--line); display:flex; flex-wrap:wrap; gap:8px 24px; align-items:baseline; }
h1 { font-size:18px; margin:0; }
h2 { font-size:15px; margin:0 0 8px; }
main { padding:16px 24px; display:grid; gap:16px; }
.muted { color:var(--muted); }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; }
.stat { min-width:110px; }
.stat b { display:block; font-size:20px; }
.banner { border-radius:8px; padding:10px 16px; background:#fdecea; border:1px solid #f5c2c0; }
.banner.ok { background:#eaf6ee; border-color:#bfe3cb; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:middle; white-space:nowrap; }
th { font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.bar { position:relative; height:10px; width:140px; background:#eef0f3; border-radius:5px; overflow:hidden; display:inline-block; vertical-align:middle; }
.bar > span { position:absolute; left:0; top:0; bottom:0; background:var(--auth); }
.bar.quota > span { background:var(--quota); }
.bar.quota.rejected > span { background:var(--error); }
.pct { display:inline-block; width:52px; text-align:right; margin-left:6px; font-variant-numeric:tabular-nums; }
.legend span { display:inline-block; margin-right:12px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
svg { display:block; width:100%; height:120px; }
.kind-error { color:var(--error); font-weight:600; }
.kind-auth { color:var(--auth); }
#key-form { display:none; }
#key-form.shown { display:block; }
input[type=password] { padding:4px 8px; border:1px solid var(--line); border-radius:4px; min-width:260px; }
button { padding:4px 12px; border:1px solid var(--line); border-radius:4px; background:var(--card); cursor:pointer; }
</style>
</head>
<body>
<header>
  <h1>Scheduler status</h1>
  <span id="plugin" class="muted">loading…</span>
  <span id="updated" class="muted"></span>
</header>
<main id="status-root">
  <form id="key-form" class="card" autocomplete="off">
    <h2>Management key</h2>
    <p class="muted">The status document is behind CLIProxyAPI's management key. It is kept in this tab only and never shown.</p>
    <input id="key" type="password" aria-label="management key"> <button type="submit">Open</button>
  </form>
  <div id="config"></div>
  <section class="card"><h2>Since start</h2><div id="counters" class="cards"></div></section>
  <section class="card"><h2>Decisions, last 10 minutes</h2>
    <div class="legend muted"><span><i style="background:var(--auth)"></i>account</span><span><i style="background:var(--delegate)"></i>delegated</span><span><i style="background:var(--unhandled)"></i>left to the host</span><span><i style="background:var(--error)"></i>error</span></div>
    <div id="chart"></div></section>
  <div id="routes"></div>
</main>
<script>
"use strict";
const STATUS_URL = )HTML";

constexpr std::string_view kScript = R"HTML(;
const KEY_STORE = "cpa-scheduler-status-key";
const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const fmt = (n) => (n === null || n === undefined) ? "—" : Number(n).toLocaleString("en-US");
function ago(ms, now) {
  if (!ms) return "never";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min ago";
}
function until(ms, now) {
  const s = Math.max(0, Math.round((ms - now) / 1000));
  if (s < 60) return "in " + s + " s";
  if (s < 3600) return "in " + Math.floor(s / 60) + " min";
  return "in " + Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
}
function bar(share, cls) {
  const pct = Math.max(0, Math.min(1, Number(share) || 0)) * 100;
  const inner = el("span");
  inner.style.width = pct.toFixed(1) + "%";
  return el("span", {}, el("span", {class: "bar " + (cls || "")}, inner), el("span", {class: "pct"}, pct.toFixed(1) + "%"));
}

// The management key: the one typed in this tab, else the one CLIProxyAPI's management
// panel keeps for this origin (its storage may be masked with its "enc::v1::" scheme).
function panelValue(name) {
  let raw = localStorage.getItem(name);
  if (!raw) return null;
  if (raw.startsWith("enc::v1::")) {
    const mask = new TextEncoder().encode("cli-proxy-api-webui::secure-storage|" + location.host + "|" + navigator.userAgent);
    const bytes = Uint8Array.from(atob(raw.slice(9)), (c, i) => c.charCodeAt(0) ^ mask[i % mask.length]);
    raw = new TextDecoder().decode(bytes);
  }
  try { return JSON.parse(raw); } catch (e) { return raw; }
}
function managementKey() {
  try { const own = sessionStorage.getItem(KEY_STORE); if (own) return own; } catch (e) {}
  try {
    const auth = panelValue("cli-proxy-auth");
    const key = (auth && auth.state && auth.state.managementKey) || panelValue("managementKey");
    if (typeof key === "string" && key) return key;
  } catch (e) {}
  return "";
}

let timer = null;
async function load() {
  const key = managementKey();
  const headers = {"Accept": "application/json"};
  if (key) headers["Authorization"] = "Bearer " + key;
  let response;
  try {
    response = await fetch(STATUS_URL, {headers, cache: "no-store", credentials: "same-origin"});
  } catch (e) {
    $("updated").textContent = "not reachable: " + e.message;
    return;
  }
  if (response.status === 401 || response.status === 403) {
    $("key-form").classList.add("shown");
    $("updated").textContent = key ? "the management key was refused" : "a management key is needed";
    return;
  }
  if (!response.ok) {
    $("updated").textContent = "status answered HTTP " + response.status;
    return;
  }
  $("key-form").classList.remove("shown");
  render(await response.json());
}

function render(doc) {
  const now = doc.plugin.now_ms;
  $("plugin").textContent = "scheduler " + doc.plugin.version + " · up " + ago(doc.plugin.started_ms, now).replace(" ago", "");
  $("updated").textContent = "updated " + new Date(now).toLocaleTimeString();
  renderConfig(doc.config, now);
  renderCounters(doc);
  renderChart(doc.timeline);
  renderRoutes(doc.routes, now);
}

function renderConfig(c, now) {
  const box = $("config");
  box.replaceChildren();
  if (!c.configured) {
    box.append(el("div", {class: "banner"}, "No configuration has reached the plugin yet: every pick is left to the host."));
  } else if (c.fails_closed) {
    box.append(el("div", {class: "banner"}, "No valid configuration yet: every pick fails closed (HTTP 503 scheduler_config_invalid)."));
  } else {
    box.append(el("div", {class: "banner ok"}, "Configuration generation " + c.generation + " in force since " + ago(c.accepted_ms, now) + "."));
  }
  if (c.last_rejected) {
    const r = c.last_rejected;
    box.append(el("div", {class: "banner", id: "rejected"},
      (r.latest ? "The latest configuration was rejected " : "A configuration was rejected ") + ago(r.at_ms, now) +
      " (" + c.rejected_count + " so far): " + r.error + (c.configured && !c.fails_closed ? " — the last good one stays in force." : "")));
  }
}

function renderCounters(doc) {
  const c = doc.counters;
  const items = [["picks", c.picks], ["to an account", c.auth], ["delegated", c.delegate], ["left to the host", c.unhandled],
                 ["errors", c.errors], ["usage records", c.usage_records], ["sessions", doc.sessions.count], ["session moves", doc.sessions.moves]];
  $("counters").replaceChildren(...items.map(([label, n]) => el("div", {class: "stat"}, el("b", {}, fmt(n)), el("span", {class: "muted"}, label))));
}

function renderChart(t) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  const n = t.buckets.length, W = 600, H = 110;
  svg.setAttribute("viewBox", "0 0 " + W + " " + (H + 10));
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  let max = 1;
  for (const b of t.buckets) max = Math.max(max, b[1] + b[2] + b[3] + b[4]);
  const colors = ["var(--auth)", "var(--delegate)", "var(--unhandled)", "var(--error)"];
  const w = W / n;
  t.buckets.forEach((b, i) => {
    let y = H;
    for (let k = 0; k < 4; k++) {
      const h = b[k + 1] / max * H;
      if (h <= 0) continue;
      const r = document.createElementNS(NS, "rect");
      r.setAttribute("x", (i * w + 1).toFixed(1)); r.setAttribute("width", Math.max(1, w - 2).toFixed(1));
      r.setAttribute("y", (y - h).toFixed(1)); r.setAttribute("height", h.toFixed(1));
      r.setAttribute("fill", colors[k]);
      const title = document.createElementNS(NS, "title");
      title.textContent = new Date(b[0] * 1000).toLocaleTimeString() + ": " + b[k + 1];
      r.append(title);
      svg.append(r);
      y -= h;
    }
  });
  const axis = document.createElementNS(NS, "line");
  axis.setAttribute("x1", 0); axis.setAttribute("x2", W); axis.setAttribute("y1", H + 0.5); axis.setAttribute("y2", H + 0.5);
  axis.setAttribute("stroke", "#c8ccd4");
  svg.append(axis);
  $("chart").replaceChildren(svg, el("div", {class: "muted"}, "peak " + fmt(max) + " per " + t.bucket_seconds + " s"));
}

function renderRoutes(routes, now) {
  const box = $("routes");
  if (!routes.length) {
    box.replaceChildren(el("section", {class: "card muted"}, "No routes configured: the reference keys (auth_id, delegate, deny) decide, or the host does."));
    return;
  }
  box.replaceChildren(...routes.map((r) => renderRoute(r, now)));
}

function lastDecision(d, now) {
  if (!d) return el("span", {class: "muted"}, "none yet");
  const text = d.kind === "auth" ? d.what : d.kind === "delegate" ? "delegated to " + d.what :
               d.kind === "error" ? d.what + (d.http_status ? " (HTTP " + d.http_status + ")" : "") : "left to the host";
  return el("span", {class: "kind-" + d.kind}, text + " · " + ago(d.at_ms, now));
}

function renderRoute(r, now) {
  const card = el("section", {class: "card route", "data-route": r.name});
  const summary = el("table", {class: "summary"},
    el("tr", {}, ...["route", "strategy", "picks", "to accounts", "errors", "sessions", "moves", "last decision"].map((h) => el("th", {}, h))),
    el("tr", {}, el("td", {}, el("b", {}, r.name)), el("td", {}, r.strategy), el("td", {class: "num"}, fmt(r.picks)),
       el("td", {class: "num"}, fmt(r.auth)), el("td", {class: "num"}, fmt(r.errors)), el("td", {class: "num"}, fmt(r.sessions)),
       el("td", {class: "num"}, fmt(r.session_moves)), el("td", {}, lastDecision(r.last_decision, now))));
  card.append(summary);
  if (r.error_codes.length) {
    card.append(el("p", {class: "muted"}, "errors: " + r.error_codes.map((e) => e.code + " ×" + e.count + (e.http_status ? " (HTTP " + e.http_status + ")" : "")).join(", ")));
  }
  if (!r.accounts.length) {
    card.append(el("p", {class: "muted"}, "No account picked yet."));
    return card;
  }
  const head = el("tr", {}, ...[["account", ""], ["picks", "num"], ["share", ""], ["in flight", "num"], ["window", "num"],
                                 ["latency", "num"], ["cooldown", ""], ["quota", ""]].map(([h, c]) => el("th", {class: c}, h)));
  const rows = r.accounts.map((a) => {
    const win = a.window ? fmt(a.window.requests) + " req · " + fmt(a.window.tokens) + " tok / " + Math.round(a.window.seconds / 60) + " min" : "—";
    const quota = el("td", {});
    for (const q of a.quota) {
      quota.append(el("div", {}, el("span", {class: "muted"}, q.name + " "), bar(q.used || 0, "quota" + (q.rejected ? " rejected" : "")),
                      q.reset_ms ? el("span", {class: "muted"}, " resets " + until(q.reset_ms, now)) : ""));
    }
    if (!a.quota.length) quota.append(el("span", {class: "muted"}, "—"));
    return el("tr", {"data-account": a.id},
      el("td", {}, a.id), el("td", {class: "num"}, fmt(a.picks)), el("td", {}, bar(a.share)),
      el("td", {class: "num"}, fmt(a.in_flight)), el("td", {class: "num"}, win),
      el("td", {class: "num"}, a.latency_ms === null ? "—" : a.latency_ms.toFixed(0) + " ms"),
      el("td", {}, a.cooldown_until_ms ? el("span", {class: "kind-error"}, "until " + new Date(a.cooldown_until_ms).toLocaleTimeString()) : "—"),
      quota);
  });
  card.append(el("table", {class: "accounts"}, head, ...rows));
  if (r.accounts_omitted) card.append(el("p", {class: "muted"}, fmt(r.accounts_omitted) + " less picked accounts (" + fmt(r.accounts_omitted_picks) + " picks) are not listed."));
  if (r.other_accounts_picks) card.append(el("p", {class: "muted"}, fmt(r.other_accounts_picks) + " picks of further accounts are counted together."));
  return card;
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  try { sessionStorage.setItem(KEY_STORE, $("key").value); } catch (e) {}
  $("key").value = "";
  load();
});
load();
timer = setInterval(load, REFRESH_MS);
</script>
</body>
</html>
)HTML";
// clang-format on

}  // namespace

std::string RenderStatusPage(std::string_view json_path) {
  std::string out;
  out.reserve(kHead.size() + kScript.size() + json_path.size() + 8);
  out.append(kHead);
  // A JSON string is a JavaScript string literal; <, > and & are escaped, so the path
  // cannot close the script element.
  json::AppendQuoted(&out, json_path);
  out.append(kScript);
  return out;
}

}  // namespace cliproxy::scheduler

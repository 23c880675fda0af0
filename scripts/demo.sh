#!/usr/bin/env bash
# Installs what is needed, builds scheduler.so and cpa-sched, then shows the plugin
# deciding on an example pool of three Codex accounts, through the same plugin host code
# path CLIProxyAPI uses (register with YAML, scheduler.pick, normalization, built-ins).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake -S . -B build -G Ninja -DCLIPROXY_BUILD_BENCH=OFF >/dev/null
ninja -C build scheduler cpa-sched

so=build/scheduler.so
cli=build/tools/cpa-sched/cpa-sched
pool=(--model gpt-5.5 --provider codex
      --candidate codex-alice.json --candidate codex-bob.json --candidate codex-carol.json)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

show() {  # show TITLE YAML [extra pick flags...]
  local title=$1 yaml=$2
  shift 2
  printf '%s\n' "$yaml" > "$tmp/config.yaml"
  echo
  echo "=== $title"
  sed 's/^/    config> /' "$tmp/config.yaml"
  "$cli" pick "$so" --config "$tmp/config.yaml" "${pool[@]}" "$@" | sed 's/^/    /' || true
}

echo
echo "Example pool: codex-alice.json, codex-bob.json, codex-carol.json (provider codex, model gpt-5.5)"

show "Pin one account (reference key auth_id)" 'auth_id: codex-bob.json'
show "Pin an account that is not offered: unhandled, the host's round-robin picks" 'auth_id: codex-zed.json'
show "Delegate to the host's built-in fill-first" 'delegate: fill-first'
show "Refuse every pick (deny): the client gets an error" 'deny: true'
show "A typo in the config is refused with the key, line and column" 'deny: 1'
show "Route: sticky sessions for requests carrying a session header" \
'routes:
  - name: sessions
    when: {headers: {X-Session-Id: "*"}}
    strategy: sticky' --header 'X-Session-Id: demo-session-42'
show "Route: a tenant (caller_scope) with its own pool, failing closed with 429" \
'routes:
  - name: tenant-a
    when: {metadata: {caller_scope: "tenant-a"}}
    pool: {ids: ["codex-team-a-*"]}
    strategy: round-robin
    when_empty: deny
    error: {status: 429, code: no_credential, message: "tenant-a has no free account"}' \
  --metadata caller_scope=tenant-a

echo
echo "=== Simulate 2400 Claude Code requests (124 sessions, one account in cooldown for 8 minutes)"
echo "    with examples/claude-code-sticky.yaml; HTML report: $tmp/report.html is removed at exit,"
echo "    run the command yourself to keep one."
"$cli" simulate "$so" --config examples/claude-code-sticky.yaml \
  --scenario examples/scenarios/claude-code-sessions.yaml --report "$tmp/report.html" | sed 's/^/    /'

accounts_of() {  # the accounts table of a simulate run
  sed -n '/^accounts:/,/(failed)/p' | sed 's/^/    /'
}
echo
echo "=== Usage-aware routing: 2400 requests over fast-1, fast-2 (5x slower from 4m to 7m),"
echo "    slow and flaky (20% of its requests fail with 529), examples/scenarios/mixed-latency.yaml"
printf 'routes:\n  - name: all\n    strategy: round-robin\n' > "$tmp/round-robin.yaml"
for config in "$tmp/round-robin.yaml" examples/scenarios/configs/fastest.yaml \
              examples/scenarios/configs/least-used.yaml; do
  echo "  -- $(grep -m1 'strategy:' "$config" | sed 's/^ *//')"
  "$cli" simulate "$so" --config "$config" --scenario examples/scenarios/mixed-latency.yaml | accounts_of
done

echo
echo "More: '$cli --help', examples/*.yaml, README.md."

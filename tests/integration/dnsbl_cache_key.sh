#!/usr/bin/env bash
# dnsbl_cache_key.sh — the SQLite answer cache (--state) and the Spamhaus DQS key (--dqs-key-file)
# against rbldnsd on 127.0.0.1:15358: answers and negative answers are served from the cache while the
# server is stopped, failures are never cached, and the key reaches neither the output nor the database.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dnsbl_common.sh"
trap rbl_cleanup EXIT
rbl_setup_dir
KEY=abcdefghijklmnopqrstuvwx12
mapfile -t specs < <(rbl_zone_specs "$KEY")
rbl_start 15358 "${specs[@]}"
STATE="$RBL_DIR/state.db"
R=(--resolver 127.0.0.1:15358 --timeout 300 --tries 1)

# --- cache ---------------------------------------------------------------------------------------------------------
run_check "${R[@]}" --state "$STATE" --json --lists spamhaus-zen,psbl 192.0.2.10 192.0.2.99
expect "first run: exit" "$RC" 1
expect "first run: not cached" "$(field 192.0.2.10 spamhaus-zen '.cached')" false
expect "state file is private" "$(stat -c %a "$STATE")" 600
run_check "${R[@]}" --state "$STATE" --json --lists spamhaus-zen,psbl 192.0.2.10 192.0.2.99
expect "second run: listed from the cache" "$(field 192.0.2.10 spamhaus-zen '.cached')" true
expect "second run: still listed" "$(field 192.0.2.10 spamhaus-zen '.outcome')" listed
expect "second run: negative answer cached" "$(field 192.0.2.99 spamhaus-zen '.cached')" true
expect "second run: failure not cached" "$(field 192.0.2.10 psbl '.cached')" false
kill -STOP "${RBL_PIDS[0]}"
run_check "${R[@]}" --state "$STATE" --json --lists spamhaus-zen 192.0.2.10 192.0.2.99
kill -CONT "${RBL_PIDS[0]}"
expect "server stopped: listing from the cache" "$(field 192.0.2.10 spamhaus-zen '.outcome')" listed
expect "server stopped: negative from the cache" "$(field 192.0.2.99 spamhaus-zen '.outcome')" not-listed
expect "server stopped: exit 1" "$RC" 1
run_check "${R[@]}" --json --lists spamhaus-zen 192.0.2.10
expect "without --state nothing is cached" "$(field 192.0.2.10 spamhaus-zen '.cached')" false

# --- DQS key ---------------------------------------------------------------------------------------------------
printf '%s\n' "$KEY" >"$RBL_DIR/dqs.key"
chmod 600 "$RBL_DIR/dqs.key"
run_check "${R[@]}" --state "$STATE" --dqs-key-file "$RBL_DIR/dqs.key" --json --lists spamhaus-zen 192.0.2.11 2001:db8::10
expect "keyed zone queried" "$(field 192.0.2.11 spamhaus-zen '.outcome')" listed
expect "keyed zone shown without the key" "$(field 192.0.2.11 spamhaus-zen '.zone')" "<key>.zen.dq.spamhaus.net"
expect "keyed zone, IPv6" "$(field 2001:db8::10 spamhaus-zen '.outcome')" listed
expect "key absent from JSON output" "$(grep -c "$KEY" <<<"$OUT" || true)" 0
run_check "${R[@]}" --state "$STATE" --dqs-key-file "$RBL_DIR/dqs.key" --lists spamhaus-zen 192.0.2.11
expect "key absent from text output" "$(grep -c "$KEY" <<<"$OUT" || true)" 0
expect "key absent from the database (and its WAL)" "$(cat "$STATE"* | grep -ac "$KEY" || true)" 0
keyed_rows="$( (cat "$STATE"* | grep -ac '<key>.zen.dq.spamhaus.net') || true)"
expect "keyed answers cached under <key>" "$((keyed_rows > 0))" 1
chmod 644 "$RBL_DIR/dqs.key"
run_check "${R[@]}" --dqs-key-file "$RBL_DIR/dqs.key" --lists spamhaus-zen 192.0.2.11
expect "world-readable key file refused" "$RC" 3
expect "error does not print the key" "$(grep -c "$KEY" "$RBL_DIR/stderr" || true)" 0

# --- [dns] and [state] from the configuration file ----------------------------------------------------------------
cat >"$RBL_DIR/agent.toml" <<EOT
[state]
path = "$RBL_DIR/config-state.db"

[dns]
resolvers = ["127.0.0.1:15358"]
timeout_ms = 500
lists = ["spamcop"]
EOT
set +e
OUT="$("$NDR_TRIAGE" --config "$RBL_DIR/agent.toml" "${DNSBL_RULES[@]}" check --json 192.0.2.10)"
RC=$?
OUT="$("$NDR_TRIAGE" --config "$RBL_DIR/agent.toml" "${DNSBL_RULES[@]}" check --json 192.0.2.10)"
set -e
expect "config: only the configured list" "$(jq -r '[.[].list] | join(",")' <<<"$OUT")" spamcop
expect "config: resolver used" "$(field 192.0.2.10 spamcop '.outcome')" listed
expect "config: exit" "$RC" 1
expect "config: state path used as the cache" "$(field 192.0.2.10 spamcop '.cached')" true
finish

#!/usr/bin/env bash
# dnsbl_failures.sh — lookups that fail are `lookup-failed`, never listings, and bounded in time: a UDP
# port that never answers (127.0.0.1:15356, timeouts), a closed port (127.0.0.1:15357, connection
# refused), and a stopped rbldnsd (SIGSTOP) next to a live one (failover to the live one).
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dnsbl_common.sh"
trap rbl_cleanup EXIT
rbl_setup_dir
mapfile -t specs < <(rbl_zone_specs)
rbl_start 15355 "${specs[@]}"
rbl_blackhole 15356

start=$(date +%s%N)
run_check --resolver 127.0.0.1:15356 --timeout 200 --tries 2 --json 192.0.2.10 192.0.2.11 example.com
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect "timeout: exit 2" "$RC" 2
expect "timeout: outcome" "$(field 192.0.2.10 spamhaus-zen '.outcome')" lookup-failed
expect "timeout: detail" "$(field 192.0.2.10 spamhaus-zen '.note')" timeout
expect "timeout: no listing anywhere" "$(jq '[.[] | select(.outcome == "listed")] | length' <<<"$OUT")" 0
expect "timeout: health unknown" "$(field 192.0.2.10 spamhaus-zen '.zone_health')" unknown
# 200 ms + 400 ms for two tries, all queries in parallel: well under 3 s (one query after another: minutes).
expect "timeout: all queries waited in parallel (elapsed ${elapsed_ms} ms < 3000)" "$((elapsed_ms < 3000))" 1

run_check --resolver 127.0.0.1:15357 --timeout 200 --json --lists spamhaus-zen 192.0.2.10
expect "closed port: exit 2" "$RC" 2
expect "closed port: outcome" "$(field 192.0.2.10 spamhaus-zen '.outcome')" lookup-failed
expect "closed port: detail" "$(field 192.0.2.10 spamhaus-zen '.note')" "connection refused"

run_check --resolver 127.0.0.1:15357 --resolver 127.0.0.1:15355 --timeout 300 --json --lists spamhaus-zen 192.0.2.10
expect "failover to the second resolver" "$(field 192.0.2.10 spamhaus-zen '.outcome')" listed
expect "failover: exit 1" "$RC" 1
finish

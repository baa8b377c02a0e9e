#!/usr/bin/env bash
# fault_dns.sh — a misbehaving DNS server (tests/integration/lib/fake_dns.py on 127.0.0.1:15371): SERVFAIL,
# REFUSED, timeouts, truncated answers (TC bit: retried over TCP; a datagram cut short), garbage, a bad
# RDLENGTH, a compression loop, a wrong ID and a header that lies about its answers. Each one is
# `lookup-failed` (never a listing, never "not listed"), each (target, list) is reported exactly once,
# a failure is never cached (the same state then gives the real answer from a good server), and the run
# is bounded in time. A truncated UDP answer whose TCP retry answers is a listing, found once.
set -euo pipefail
: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}"
command -v jq >/dev/null || { echo "fault_dns: needs jq" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-fault-dns.XXXXXX")
DNS_PID=
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $DNS_PID ]] && kill "$DNS_PID" 2>/dev/null
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
FAILURES=0
expect() {
    if [[ $2 == "$3" ]]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'"; FAILURES=$((FAILURES + 1)); fi
}

PORT=15371
python3 "$NDR_SOURCE_DIR/tests/integration/lib/fake_dns.py" "$PORT" "$WORK/queries.log" > "$WORK/dns.out" 2>&1 &
DNS_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/dns.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/dns.out" || { cat "$WORK/dns.out" >&2; echo "FAIL: fake DNS server did not start" >&2; exit 1; }

RULES=(--shipped-rules "$NDR_SOURCE_DIR/tests/integration/data/dnsbl/rules.d" --no-site)
check() { # check ARGS...: JSON in $OUT, exit code in $RC
    RC=0
    OUT=$("$NDR_TRIAGE" "${RULES[@]}" check --resolver "127.0.0.1:$PORT" --no-probe --lists spamhaus-zen --json "$@" \
        2> "$WORK/stderr") || RC=$?
}
field() { jq -r --arg t "$1" "[.[] | select(.target == \$t)] | if length == 1 then .[0] | $2 else \"<\(length) results>\" end" <<<"$OUT"; }

declare -A WHAT=([1]=SERVFAIL [2]=REFUSED [4]="datagram cut short" [5]=timeout [6]=garbage [7]="RDLENGTH 3"
                 [8]="compression loop" [9]="wrong ID" [12]="header claims 5 answers" [13]="truncated over TCP too")
BAD=(1 2 4 5 6 7 8 9 12 13)
targets=()
for n in "${BAD[@]}"; do targets+=("192.0.2.$n"); done

start=$(date +%s%N)
check --state "$WORK/state.db" --timeout 300 --tries 2 "${targets[@]}" 192.0.2.3 192.0.2.10 192.0.2.11
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[[ -s $WORK/stderr ]] && sed 's/^/  stderr: /' "$WORK/stderr"
expect "one result per target, no more (13 targets)" "$(jq length <<<"$OUT")" 13
expect "exit 1 (a listing and failures)" "$RC" 1
for n in "${BAD[@]}"; do
    expect "${WHAT[$n]}: lookup-failed" "$(field "192.0.2.$n" .outcome)" lookup-failed
done
expect "SERVFAIL: detail" "$(field 192.0.2.1 .note)" SERVFAIL
expect "REFUSED: detail" "$(field 192.0.2.2 .note)" REFUSED
expect "timeout: detail" "$(field 192.0.2.5 .note)" timeout
expect "TC bit: answered over TCP, listed" "$(field 192.0.2.3 .outcome)" listed
expect "TC bit: code from the TCP answer" "$(field 192.0.2.3 '.codes | join(",")')" 127.0.0.2
expect "TC bit: the TCP retry was made" "$(grep -c '^tcp A 3\.2\.0\.192\.zen\.spamhaus\.org$' "$WORK/queries.log")" 1
expect "good answer next to the failures: listed" "$(field 192.0.2.10 .outcome)" listed
expect "NXDOMAIN next to the failures: not-listed" "$(field 192.0.2.11 .outcome)" not-listed
expect "no failure became a listing" "$(jq '[.[] | select(.outcome == "listed")] | length' <<<"$OUT")" 2
# 300 ms + 600 ms per query at most, all in parallel.
expect "bounded in time (${elapsed_ms} ms < 5000)" "$((elapsed_ms < 5000))" 1
expect "no sanitiser bypass: output is printable JSON" "$(LC_ALL=C grep -c $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' <<<"$OUT" || true)" 0

# The same state against a good server (rbldnsd semantics from the fake: mode 10 = listed) — the failures
# were not cached: each is asked again and nothing is reported from the cache.
: > "$WORK/queries.log"
check --state "$WORK/state.db" --timeout 300 --tries 1 192.0.2.1 192.0.2.2 192.0.2.10
expect "second run: SERVFAIL not cached" "$(field 192.0.2.1 .cached)" false
expect "second run: REFUSED not cached" "$(field 192.0.2.2 .cached)" false
expect "second run: the good answer was cached" "$(field 192.0.2.10 .cached)" true
expect "second run: failed names asked again" "$(grep -c '^udp A [12]\.2\.0\.192\.' "$WORK/queries.log")" 2
expect "second run: cached name not asked" "$(grep -c '^udp A 10\.2\.0\.192\.' "$WORK/queries.log" || true)" 0

# Only failures: exit 2, never 0 (nothing was shown to be clean).
check --timeout 200 --tries 1 192.0.2.1 192.0.2.6
expect "only failures: exit 2" "$RC" 2

if ((FAILURES > 0)); then echo "$FAILURES check(s) failed"; exit 1; fi
echo "fault_dns: all checks passed"

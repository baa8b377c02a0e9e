#!/usr/bin/env bash
# scan_local_maildir.sh — `scan --maildir` over the fixture bounces in tests/integration/data/scan:
# --json counts, a second scan records nothing new, a new message is picked up (and only it counted),
# `status --json` totals, the state file is 0600, and a text report names the incidents.
set -euo pipefail

: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}" "${NDR_BUILD_DIR:?}"
work=$(mktemp -d "$NDR_BUILD_DIR/scan-local-maildir.XXXXXX")
trap 'rm -rf "$work"' EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/scan"
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" "$@"; }
# json FILE EXPR: a value from a JSON file (EXPR indexes `d`, e.g. "d['new']").
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # name got want
    [ "$2" = "$3" ] || fail "$1: got $2, want $3"
    echo "ok: $1 = $2"
}

maildir="$work/Maildir"
mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
n=0
for f in "$data"/0[1-4]-*.eml; do
    n=$((n + 1))
    cp "$f" "$maildir/cur/170000000$n.M${n}P1.test:2,S"
done
state="$work/state.db"

triage scan --maildir "$maildir" --state "$state" --json >"$work/first.json"
expect "first scan messages" "$(json "$work/first.json" "d['messages']")" 4
expect "first scan new" "$(json "$work/first.json" "d['new']")" 4
expect "first scan ndrs" "$(json "$work/first.json" "d['ndrs']")" 4
expect "first scan unparsed" "$(json "$work/first.json" "d['unparsed']")" 0
records=$(json "$work/first.json" "d['records']")
[ "$records" -ge 4 ] || fail "records: got $records, want at least 4"
expect "spamhaus-zen incident bounces" \
    "$(json "$work/first.json" "[i['bounces'] for i in d['incidents'] if i['list']=='spamhaus-zen' and i['listed']=='198.51.100.23']")" "[2]"
expect "incident object keys" \
    "$(json "$work/first.json" "all(set(['list','provider','listed','bounces']) <= set(i) for i in d['incidents'])")" True
expect "state file mode" "$(stat -c %a "$state")" 600

triage scan --maildir "$maildir" --state "$state" --json >"$work/second.json"
expect "second scan new" "$(json "$work/second.json" "d['new']")" 0
expect "second scan incident bounces unchanged" \
    "$(json "$work/second.json" "[i['bounces'] for i in d['incidents'] if i['list']=='spamhaus-zen']")" "[2]"

# A new message (not an NDR) arrives: the set changed, so all is re-read but only it is new.
cp "$data/05-not-ndr.eml" "$maildir/new/1700000009.M9P1.test"
triage scan --maildir "$maildir" --state "$state" --json >"$work/third.json"
expect "third scan new" "$(json "$work/third.json" "d['new']")" 1
expect "third scan ndrs" "$(json "$work/third.json" "d['ndrs']")" 0
expect "third scan recognised" "$(json "$work/third.json" "d['duplicates']")" 4

triage status --state "$state" --json >"$work/status.json"
expect "status messages" "$(json "$work/status.json" "d['messages']")" 5
expect "status ndrs" "$(json "$work/status.json" "d['ndrs']")" 4
expect "status records" "$(json "$work/status.json" "d['records']")" "$records"
expect "status checkpoint" "$(json "$work/status.json" "[(c['source'][:8], c['last_uid']) for c in d['checkpoints']]")" "[('maildir:', 5)]"
expect "status last run" "$(json "$work/status.json" "d['last_run']['status']")" ok

triage scan --maildir "$maildir" --state "$state" >"$work/report.txt"
grep -q "spamhaus-zen (Spamhaus ZEN) x 198.51.100.23" "$work/report.txt" || fail "text report lacks the Spamhaus incident"
grep -q "next: " "$work/report.txt" || fail "text report lacks next steps"

# One pass at a time per state: a scan waits while another process holds the pass lock (here
# flock(1) standing in for a service's pass), says so, and runs once it is released.
cp "$data/05-not-ndr.eml" "$maildir/new/1700000010.M10P1.test"
sed -i 's/^Subject: /Subject: late /' "$maildir/new/1700000010.M10P1.test"
flock "$state.lock" sleep 1.5 &
holder=$!
sleep 0.3
triage status --state "$state" --json >"$work/busy.json"
expect "status while a pass holds the lock" "$(json "$work/busy.json" "d['pass_running']")" yes
triage scan --maildir "$maildir" --state "$state" --json >"$work/locked.json" 2>"$work/locked.err"
wait "$holder"
grep -q "waiting for another ndr-triage pass" "$work/locked.err" || fail "no waiting message: $(cat "$work/locked.err")"
expect "scan after the lock was released: new" "$(json "$work/locked.json" "d['new']")" 1
triage status --state "$state" --json >"$work/idle.json"
expect "status once it is released" "$(json "$work/idle.json" "d['pass_running']")" None
[ "$(stat -c %a "$state.lock")" = 600 ] || fail "lock file mode $(stat -c %a "$state.lock"), want 600"

# Exit codes: an unreadable source is 2, a bad config is 3.
set +e
triage scan --maildir "$work/nonexistent" --state "$state" >/dev/null 2>&1; rc=$?
set -e
expect "exit code for a missing maildir" "$rc" 2
printf '[imap]\nprot = 993\n' >"$work/bad.toml"
set +e
"$NDR_TRIAGE" --config "$work/bad.toml" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" scan --maildir "$maildir" \
    --state "$state" >/dev/null 2>"$work/bad.err"; rc=$?
set -e
expect "exit code for a bad config" "$rc" 3
grep -q "bad.toml:2: unknown key imap.prot" "$work/bad.err" || fail "config error lacks file:line: $(cat "$work/bad.err")"
echo "PASS"

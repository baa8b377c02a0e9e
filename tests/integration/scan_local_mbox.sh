#!/usr/bin/env bash
# scan_local_mbox.sh — `scan --mbox` over the fixture bounces written into an mbox: --json counts, a
# second scan records nothing new, an appended message is the only new one (the earlier ones keep
# their fingerprints), .eml files already seen through the mbox are recognised, `status --json` totals.
set -euo pipefail

: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}" "${NDR_BUILD_DIR:?}"
work=$(mktemp -d "$NDR_BUILD_DIR/scan-local-mbox.XXXXXX")
trap 'rm -rf "$work"' EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/scan"
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" "$@"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # name got want
    [ "$2" = "$3" ] || fail "$1: got $2, want $3"
    echo "ok: $1 = $2"
}

# mboxrd: a From_ line before each message, ">From " quoting of body lines, a blank line after each.
append() { # file.eml
    printf 'From MAILER-DAEMON Mon Nov 16 09:12:03 2026\n'
    sed -e 's/^\(>*From \)/>\1/' "$1"
    printf '\n'
}
mbox="$work/bounces.mbox"
for f in "$data"/01-*.eml "$data"/03-*.eml "$data"/04-*.eml; do append "$f"; done >"$mbox"
state="$work/state.db"

triage scan --mbox "$mbox" --state "$state" --json >"$work/first.json"
expect "first scan messages" "$(json "$work/first.json" "d['messages']")" 3
expect "first scan new" "$(json "$work/first.json" "d['new']")" 3
expect "first scan ndrs" "$(json "$work/first.json" "d['ndrs']")" 3
expect "first scan unparsed" "$(json "$work/first.json" "d['unparsed']")" 0
expect "incidents" "$(json "$work/first.json" "sorted((i['list'], i['listed'], i['bounces']) for i in d['incidents'])")" \
    "[('ms-outlookcom', '198.51.100.23', 1), ('spamhaus-zen', '198.51.100.23', 1)]"

triage scan --mbox "$mbox" --state "$state" --json >"$work/second.json"
expect "second scan new" "$(json "$work/second.json" "d['new']")" 0

append "$data/02-spamhaus-second.eml" >>"$mbox"
triage scan --mbox "$mbox" --state "$state" --json >"$work/third.json"
expect "after append: new" "$(json "$work/third.json" "d['new']")" 1
expect "after append: recognised" "$(json "$work/third.json" "d['duplicates']")" 3
expect "after append: spamhaus-zen bounces" \
    "$(json "$work/third.json" "[i['bounces'] for i in d['incidents'] if i['list']=='spamhaus-zen']")" "[2]"

# The same bytes as .eml files are the same messages (fingerprints), plus one new message.
triage scan --state "$state" --json "$data/03-userunknown.eml" "$data/05-not-ndr.eml" >"$work/files.json"
expect "eml files: new" "$(json "$work/files.json" "d['new']")" 1
expect "eml files: recognised" "$(json "$work/files.json" "d['duplicates']")" 1

triage status --state "$state" --json >"$work/status.json"
expect "status messages" "$(json "$work/status.json" "d['messages']")" 5
expect "status ndrs" "$(json "$work/status.json" "d['ndrs']")" 4
expect "status open incidents" "$(json "$work/status.json" "d['open_incidents']")" 2
expect "status checkpoints" "$(json "$work/status.json" "sorted(c['source'].split(':')[0] for c in d['checkpoints'])")" \
    "['files', 'mbox']"

# --since compares the From_ line's date (2026-11-16 09:12:03 for every message here).
triage scan --mbox "$mbox" --state "$work/since.db" --since 2026-11-17 --json >"$work/since.json"
expect "--since after the messages: skipped" "$(json "$work/since.json" "d['skipped']")" 4
expect "--since after the messages: new" "$(json "$work/since.json" "d['new']")" 0
triage scan --mbox "$mbox" --state "$work/since.db" --since 2026-11-16 --json >"$work/since2.json"
expect "--since before the messages: skipped" "$(json "$work/since2.json" "d['skipped']")" 0
expect "--since before the messages: new" "$(json "$work/since2.json" "d['new']")" 4
echo "PASS"

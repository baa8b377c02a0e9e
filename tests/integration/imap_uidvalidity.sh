#!/usr/bin/env bash
# imap_uidvalidity.sh — the folder is deleted and recreated with the same messages (a new UIDVALIDITY,
# new UIDs): the next scan rescans it, recognises every message by fingerprint, and counts nothing twice.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-uidv.XXXXXX")
cleanup() { set +e; dovecot_cleanup; [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT

dovecot_setup 24143 24993
dovecot_start
mapfile -t ARGS < <(ndr_imap_args)
ndr_make_variants 6 "$WORK/msgs"

fill() {
    imap_session "CREATE Bounces" > /dev/null
    local f
    for f in "$WORK"/msgs/*.eml; do dovecot_append Bounces "$f"; done
}
scan() {
    "$NDR_TRIAGE" --no-site scan "${ARGS[@]}" --folder Bounces --state "$WORK/state.db" --json > "$WORK/$1.json" 2> "$WORK/$1.err" ||
        { cat "$WORK/$1.err" >&2; fail "$1: scan failed"; }
}

fill
before=$(imap_uidvalidity Bounces)
scan first
[[ $(ndr_json_num "$WORK/first.json" new) == 6 ]] || fail "first: new = $(ndr_json_num "$WORK/first.json" new), want 6"

imap_session "DELETE Bounces" > /dev/null
fill
after=$(imap_uidvalidity Bounces)
[[ -n $before && -n $after && $before != "$after" ]] || fail "UIDVALIDITY did not change ($before → $after)"

scan second
grep -q '"uidvalidity_changed": true' "$WORK/second.json" || fail "second: uidvalidity_changed not reported"
[[ $(ndr_json_num "$WORK/second.json" messages) == 6 ]] || fail "second: messages = $(ndr_json_num "$WORK/second.json" messages), want 6 (rescan)"
[[ $(ndr_json_num "$WORK/second.json" new) == 0 ]] || fail "second: new = $(ndr_json_num "$WORK/second.json" new), want 0"
"$NDR_TRIAGE" --no-site status --state "$WORK/state.db" --json > "$WORK/status.json"
[[ $(ndr_json_num "$WORK/status.json" messages) == 6 ]] || fail "status: messages = $(ndr_json_num "$WORK/status.json" messages), want 6"

scan third
[[ $(ndr_json_num "$WORK/third.json" messages) == 0 ]] || fail "third: messages = $(ndr_json_num "$WORK/third.json" messages), want 0"
echo "imap_uidvalidity: ok ($before → $after)"

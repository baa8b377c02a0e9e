#!/usr/bin/env bash
# imap_scan.sh — one-shot scans of a real Dovecot INBOX holding every fixture bounce: the first scan
# records them all, a second records nothing new, new mail is picked up incrementally; messages are
# never marked \Seen nor deleted (flags and counts read over raw IMAP), each carries $NDRTriaged. With
# processed_folder set (config file), NDRs move there and everything else stays.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-scan.XXXXXX")
cleanup() { set +e; dovecot_cleanup; [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT

dovecot_with_fixtures 23143 23993
mapfile -t ARGS < <(ndr_imap_args)

scan() { # scan NAME: one pass with the shared state, JSON kept in $WORK/NAME.json
    "$NDR_TRIAGE" --no-site scan "${ARGS[@]}" --state "$WORK/state.db" --json > "$WORK/$1.json" 2> "$WORK/$1.err" ||
        { cat "$WORK/$1.err" >&2; fail "$1: scan failed"; }
}
expect() { # expect NAME FIELD WANT
    local got
    got=$(ndr_json_num "$WORK/$1.json" "$2")
    [[ $got == "$3" ]] || fail "$1: $2 = $got, want $3"
}

scan first
expect first messages "$TOTAL"
expect first new "$TOTAL"

scan second
expect second messages 0
expect second new 0

[[ $(imap_count INBOX) == "$TOTAL" ]] || fail "INBOX holds $(imap_count INBOX) messages, want $TOTAL (nothing deleted)"
imap_flags INBOX > "$WORK/flags"
[[ $(wc -l < "$WORK/flags") == "$TOTAL" ]] || fail "flags listed for $(wc -l < "$WORK/flags") messages, want $TOTAL"
if grep -q '\\Seen' "$WORK/flags"; then fail "messages marked \\Seen: $(grep -c '\\Seen' "$WORK/flags")"; fi
if grep -q '\\Deleted' "$WORK/flags"; then fail "messages marked \\Deleted"; fi
[[ $(grep -c '\$NDRTriaged' "$WORK/flags") == "$TOTAL" ]] || fail "\$NDRTriaged on $(grep -c '\$NDRTriaged' "$WORK/flags") messages, want $TOTAL"

# Three new messages (new Message-IDs, so new fingerprints), one of them over IMAP APPEND.
ndr_make_variants 3 "$WORK/new"
dovecot_deliver "$WORK/new/variant-000001.eml" "$WORK/new/variant-000002.eml"
dovecot_append INBOX "$WORK/new/variant-000003.eml"
scan third
expect third messages 3
expect third new 3
scan fourth
expect fourth new 0
"$NDR_TRIAGE" --no-site status --state "$WORK/state.db" --json > "$WORK/status.json"
[[ $(ndr_json_num "$WORK/status.json" messages) == $((TOTAL + 3)) ]] ||
    fail "status: messages = $(ndr_json_num "$WORK/status.json" messages), want $((TOTAL + 3))"

# processed_folder from a configuration file: NDRs are moved, the rest stays in INBOX.
ndr_imap_toml > "$WORK/agent.toml"
cat >> "$WORK/agent.toml" <<TOML
folder = "INBOX"
processed_folder = "Processed"
[state]
path = "$WORK/moved.db"
TOML
"$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" scan --json > "$WORK/moved.json" 2> "$WORK/moved.err" ||
    { cat "$WORK/moved.err" >&2; fail "scan with processed_folder failed"; }
ndrs=$(ndr_json_num "$WORK/moved.json" ndrs)
((ndrs > 0)) || fail "processed: no NDRs counted"
[[ $(imap_count Processed) == "$ndrs" ]] || fail "Processed holds $(imap_count Processed), want $ndrs NDRs"
[[ $(imap_count INBOX) == $((TOTAL + 3 - ndrs)) ]] || fail "INBOX holds $(imap_count INBOX), want $((TOTAL + 3 - ndrs))"
imap_flags Processed > "$WORK/pflags"
[[ $(grep -c '\$NDRTriaged' "$WORK/pflags") == "$ndrs" ]] || fail "moved messages lost the keyword"
if grep -q '\\Seen' "$WORK/pflags"; then fail "moved messages marked \\Seen"; fi

# A scan killed after recording but before marking leaves messages without the keyword (and NDRs
# not moved): the next pass marks and moves exactly those. Here: Processed is scanned into a new
# state, its keywords are stripped, then a scan with processed_folder = "INBOX" records nothing new
# and moves every one of them back to INBOX.
imap_toml_for() { # imap_toml_for FOLDER PROCESSED STATE
    ndr_imap_toml
    printf 'folder = "%s"\n' "$1"
    [[ -n $2 ]] && printf 'processed_folder = "%s"\n' "$2"
    printf '[state]\npath = "%s"\n' "$3"
}
imap_toml_for Processed "" "$WORK/remark.db" > "$WORK/remark.toml"
"$NDR_TRIAGE" --no-site --config "$WORK/remark.toml" scan --json > "$WORK/remark1.json" 2> "$WORK/remark1.err" ||
    { cat "$WORK/remark1.err" >&2; fail "scan of Processed failed"; }
expect remark1 new "$ndrs"
imap_session "SELECT Processed" "UID STORE 1:* -FLAGS.SILENT (\$NDRTriaged)" > /dev/null
imap_toml_for Processed INBOX "$WORK/remark.db" > "$WORK/remark.toml"
"$NDR_TRIAGE" --no-site --config "$WORK/remark.toml" scan --json > "$WORK/remark2.json" 2> "$WORK/remark2.err" ||
    { cat "$WORK/remark2.err" >&2; fail "rescan of Processed failed"; }
expect remark2 new 0
expect remark2 remarked "$ndrs"
[[ $(imap_count Processed) == 0 ]] || fail "Processed still holds $(imap_count Processed), want 0: all moved"
[[ $(imap_count INBOX) == $((TOTAL + 3)) ]] || fail "INBOX holds $(imap_count INBOX), want $((TOTAL + 3))"
imap_flags INBOX > "$WORK/iflags"
[[ $(grep -c '\$NDRTriaged' "$WORK/iflags") == $((TOTAL + 3)) ]] || fail "messages in INBOX without the keyword"
"$NDR_TRIAGE" --no-site --config "$WORK/remark.toml" scan --json > "$WORK/remark3.json" 2> /dev/null
expect remark3 remarked 0

# A processed_folder that does not exist: one warning, no refused MOVE per NDR, nothing moves.
imap_toml_for INBOX Nowhere "$WORK/nowhere.db" > "$WORK/nowhere.toml"
"$NDR_TRIAGE" --no-site --config "$WORK/nowhere.toml" scan --json > "$WORK/nowhere.json" 2> "$WORK/nowhere.err" ||
    { cat "$WORK/nowhere.err" >&2; fail "scan with a missing processed_folder failed"; }
[[ $(grep -c "processed_folder Nowhere does not exist" "$WORK/nowhere.err") == 1 ]] ||
    fail "missing processed_folder: want one warning, got: $(head -5 "$WORK/nowhere.err")"
if grep -q "refused" "$WORK/nowhere.err"; then fail "missing processed_folder: MOVEs were sent: $(grep -m3 refused "$WORK/nowhere.err")"; fi
[[ $(imap_count INBOX) == $((TOTAL + 3)) ]] || fail "missing processed_folder: INBOX holds $(imap_count INBOX), want $((TOTAL + 3))"

echo "imap_scan: ok ($TOTAL fixtures, $ndrs NDRs moved; $ndrs left unmarked were marked and moved later)"

#!/usr/bin/env bash
# fault_store.sh — the state database cannot be written: (1) it is read-only, (2) its disk is full.
# The scan stops with a clear error naming the state (exit 3, no crash, no message marked $NDRTriaged,
# none \Seen, moved or deleted), and once the database is writable again the next scan records every
# message exactly once. As root the database lives on a small tmpfs (remounted read-only for (1), too
# small for (2)); otherwise (1) uses file modes and (2) `ulimit -f` (writes past the limit fail).
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-fault-store.XXXXXX")
MNT=$WORK/mnt
mkdir -p "$MNT"
ROOT=0
[[ $(id -u) == 0 ]] && mount -t tmpfs -o size=4m,mode=0755 ndr-fault-store "$MNT" 2>/dev/null && ROOT=1
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    chmod -R u+w "$MNT" 2>/dev/null || true
    if ((ROOT)); then umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true; fi
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
echo "mode: $( ((ROOT)) && echo "tmpfs (root)" || echo "file modes and ulimit -f")"

TOTAL=60
dovecot_setup 29343 29393
dovecot_start
ndr_make_variants "$TOTAL" "$WORK/msgs"
mapfile -t ARGS < <(ndr_imap_args)
scan() { # scan STATE [ulimit -f blocks]: exit code in $SCAN_RC
    SCAN_RC=0
    (
        if [[ -n ${2:-} ]]; then trap '' XFSZ; ulimit -f "$2"; fi
        exec "$NDR_TRIAGE" --no-site scan "${ARGS[@]}" --state "$1" --json
    ) > "$WORK/scan.json" 2> "$WORK/scan.err" || SCAN_RC=$?
}
messages_in() {
    "$NDR_TRIAGE" --no-site status --state "$1" --json > "$WORK/status.json" 2>/dev/null || { echo 0; return; }
    ndr_json_num "$WORK/status.json" messages
}
flagged() { imap_flags INBOX | grep -c '\$NDRTriaged' || true; }
untouched() { # untouched WHAT MARKED: the mailbox holds every message, none \Seen or deleted, MARKED keywords
    [[ $(imap_count INBOX) == "$TOTAL" ]] || fail "$1: INBOX holds $(imap_count INBOX), want $TOTAL"
    imap_flags INBOX > "$WORK/flags"
    if grep -q '\\Seen\|\\Deleted' "$WORK/flags"; then fail "$1: messages marked \\Seen or \\Deleted"; fi
    [[ $(flagged) == "$2" ]] || fail "$1: \$NDRTriaged on $(flagged) messages, want $2"
}
clear_error() { # clear_error WHAT: the last stderr line is one clear error naming the state file, no stack
    local err
    err=$(grep '^ndr-triage scan: ' "$WORK/scan.err" | tail -1 || true)
    [[ -n $err && $err == *state* || $err == *"$MNT"* ]] || fail "$1: no clear error: $(cat "$WORK/scan.err")"
    if grep -qi 'terminate called\|AddressSanitizer\|Aborted' "$WORK/scan.err"; then fail "$1: crashed: $(cat "$WORK/scan.err")"; fi
    echo "ok   $1: exit $SCAN_RC: $err"
}

# --- (1) read-only: a first scan records half the mailbox, then the database becomes read-only -------
half=$((TOTAL / 2))
mapfile -t FILES < <(find "$WORK/msgs" -name '*.eml' | sort)
dovecot_deliver "${FILES[@]:0:half}"
STATE=$MNT/ro/state.db
mkdir -p "$MNT/ro"
scan "$STATE"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "first scan failed"; }
[[ $(messages_in "$STATE") == "$half" ]] || fail "first scan recorded $(messages_in "$STATE"), want $half"
dovecot_deliver "${FILES[@]:half}"
before=$(flagged)
if ((ROOT)); then mount -o remount,ro "$MNT"; else chmod a-w "$MNT/ro" "$STATE"*; fi
scan "$STATE"
((SCAN_RC != 0 && SCAN_RC < 128)) || fail "read-only: scan exit $SCAN_RC, want a clean failure"
clear_error "read-only"
untouched "read-only" "$before"
# The reading commands still work on it (SQLite mode=ro, or immutable when no -shm can be made).
"$NDR_TRIAGE" --no-site status --state "$STATE" --json > "$WORK/ro-status.json" 2> "$WORK/ro-status.err" ||
    fail "read-only: status failed: $(cat "$WORK/ro-status.err")"
[[ $(ndr_json_num "$WORK/ro-status.json" messages) == "$half" ]] || fail "read-only: status shows $(ndr_json_num "$WORK/ro-status.json" messages), want $half"
grep -q '"read_only": true' "$WORK/ro-status.json" || fail "read-only: status does not say it opened the file read-only"
"$NDR_TRIAGE" --no-site incidents --state "$STATE" list > /dev/null 2> "$WORK/ro-incidents.err" ||
    fail "read-only: incidents list failed: $(cat "$WORK/ro-incidents.err")"
echo "ok   read-only: status and incidents list read it"
if ((ROOT)); then mount -o remount,rw "$MNT"; else chmod u+w "$MNT/ro" "$STATE"*; fi
[[ $(messages_in "$STATE") == "$half" ]] || fail "read-only: the database changed"
scan "$STATE"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "read-only: scan after recovery failed"; }
[[ $(messages_in "$STATE") == "$TOTAL" ]] || fail "read-only: after recovery $(messages_in "$STATE") recorded, want $TOTAL"
untouched "read-only, recovered" "$TOTAL"
echo "ok   read-only: recovered, $TOTAL recorded once"

# --- (2) disk full: no room for the schema; then room for the schema and a few messages only ----------
fill_to_free() { # fill_to_free KB: leaves about KB kilobytes free on the tmpfs
    rm -f "$MNT/filler"
    local avail
    avail=$(df -k --output=avail "$MNT" | tail -1)
    ((avail > $1)) && dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - $1)) 2>/dev/null
    return 0
}
disk_full_run() { # disk_full_run WHAT FREE_KB ULIMIT_BLOCKS
    local what=$1
    imap_session "SELECT INBOX" "UID STORE 1:* -FLAGS.SILENT (\$NDRTriaged)" > /dev/null
    rm -rf "$MNT/full"
    mkdir -p "$MNT/full"
    STATE=$MNT/full/state.db
    if ((ROOT)); then fill_to_free "$2"; scan "$STATE"; else scan "$STATE" "$3"; fi
    ((SCAN_RC != 0 && SCAN_RC < 128)) || fail "$what: scan exit $SCAN_RC, want a clean failure"
    clear_error "$what"
    rm -f "$MNT/filler"
    local recorded marked
    recorded=$(messages_in "$STATE")
    marked=$(flagged)
    ((recorded < TOTAL)) || fail "$what: all $TOTAL recorded on a full disk"
    ((marked <= recorded)) || fail "$what: $marked marked \$NDRTriaged, only $recorded recorded"
    untouched "$what" "$marked"
    scan "$STATE"
    ((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "$what: scan after freeing space failed"; }
    [[ $(messages_in "$STATE") == "$TOTAL" ]] || fail "$what: after freeing space $(messages_in "$STATE") recorded, want $TOTAL"
    untouched "$what, recovered" "$TOTAL"
    echo "ok   $what: $recorded recorded and $marked marked before the disk filled, then all $TOTAL once"
}
disk_full_run "disk full at open" 0 1
disk_full_run "disk full mid-scan" 250 2000
echo "fault_store: ok"

#!/usr/bin/env bash
# imap_interrupt.sh — interrupted scans lose and double-count nothing. A reference scan reads the whole
# mailbox once into its own state. Then, with a second state: (1) the agent is killed with SIGKILL in the
# middle of a scan and run again; (2) Dovecot is killed in the middle of a scan and started again, and
# the scan is run again. Both end with the same counts (messages, NDRs, records, list hits) as the
# reference, and the mailbox still holds every message, none \Seen.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-intr.XXXXXX")
SCAN_PID=
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $SCAN_PID ]] && kill -KILL "$SCAN_PID" 2>/dev/null
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

TOTAL=${NDR_INTERRUPT_MESSAGES:-1500}
dovecot_setup 25143 25993
dovecot_start
ndr_make_variants "$TOTAL" "$WORK/msgs"
dovecot_deliver_dir "$WORK/msgs"
mapfile -t ARGS < <(ndr_imap_args)

counts() { # counts STATE: "messages ndrs records list_hits"
    "$NDR_TRIAGE" --no-site status --state "$1" --json > "$WORK/status.json" 2>/dev/null || { echo "0 0 0 0"; return; }
    echo "$(ndr_json_num "$WORK/status.json" messages) $(ndr_json_num "$WORK/status.json" ndrs)" \
        "$(ndr_json_num "$WORK/status.json" records) $(ndr_json_num "$WORK/status.json" list_hits)"
}
messages_in() { local c; c=$(counts "$1"); echo "${c%% *}"; }
scan() { # scan STATE [extra args]: exit code in $SCAN_RC
    local state=$1
    shift
    SCAN_RC=0
    "$NDR_TRIAGE" --no-site scan "${ARGS[@]}" --state "$state" --json "$@" > /dev/null 2> "$WORK/scan.err" || SCAN_RC=$?
}
# Messages committed so far, read straight from the file (a few ms; `status` takes tens, and a whole
# scan of the mailbox takes a few hundred).
committed() {
    if [[ -s $1 ]]; then sqlite3 -cmd ".timeout 2000" "$1" "SELECT COUNT(*) FROM messages" 2>/dev/null || echo 0; else echo 0; fi
}
# Starts a scan in the background and returns once it has committed at least $1 messages.
scan_until() {
    local min=$1 state=$2 deadline=$((SECONDS + 30))
    "$NDR_TRIAGE" --no-site scan "${ARGS[@]}" --state "$state" > /dev/null 2> "$WORK/bg.err" &
    SCAN_PID=$!
    until (($(committed "$state") >= min)); do
        ((SECONDS < deadline)) || fail "the background scan recorded nothing in 30 s: $(cat "$WORK/bg.err")"
        kill -0 "$SCAN_PID" 2>/dev/null || fail "the background scan ended before $min messages"
        sleep 0.005
    done
}

scan "$WORK/reference.db"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "reference scan failed"; }
want=$(counts "$WORK/reference.db")
[[ ${want%% *} == "$TOTAL" ]] || fail "reference: $want, want $TOTAL messages"

# (1) SIGKILL the agent mid-scan. On a loaded machine the kill can land after the last message; then
# the attempt proves nothing and is made again with a fresh state.
for attempt in 1 2 3 4 5; do
    rm -f "$WORK"/killed.db*
    scan_until 20 "$WORK/killed.db"
    kill -KILL "$SCAN_PID" 2>/dev/null || true # it may have finished already: then the attempt is made again
    wait "$SCAN_PID" 2>/dev/null || true
    SCAN_PID=
    partial=$(messages_in "$WORK/killed.db")
    ((partial < TOTAL)) && break
    echo "attempt $attempt: SIGKILL came after all $TOTAL messages were recorded; again"
done
((partial < TOTAL)) || fail "SIGKILL came too late in every attempt"
scan "$WORK/killed.db"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "scan after SIGKILL failed"; }
got=$(counts "$WORK/killed.db")
[[ $got == "$want" ]] || fail "after SIGKILL at $partial messages: counts $got, want $want"

# (2) Dovecot killed mid-scan, started again a second later; the scan may ride it out (reconnect) or
# fail; either way the next scan completes the state.
scan_until 20 "$WORK/outage.db"
dovecot_stop --fast
sleep 1
dovecot_start
rc=0
wait "$SCAN_PID" || rc=$?
SCAN_PID=
partial=$(messages_in "$WORK/outage.db")
echo "scan through the outage: exit code $rc, $partial of $TOTAL recorded"
scan "$WORK/outage.db"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "scan after the outage failed"; }
got=$(counts "$WORK/outage.db")
[[ $got == "$want" ]] || fail "after the Dovecot outage: counts $got, want $want"

[[ $(imap_count INBOX) == "$TOTAL" ]] || fail "INBOX holds $(imap_count INBOX), want $TOTAL"
if imap_flags INBOX | grep -q '\\Seen'; then fail "messages marked \\Seen"; fi
echo "imap_interrupt: ok ($want)"

#!/usr/bin/env bash
# fault_imap.sh — IMAP faults mid-fetch, between the agent and a real Dovecot, injected by
# tests/integration/lib/imap_fault_proxy.py: the connection drops, the server stops answering (timeout),
# sends a malformed response, or says BYE. For each fault, once (the agent reconnects and carries on)
# and persistently (the scan gives up with a clear error, exit 2, no crash), then a clean scan: the
# final counts (messages, NDRs, records, list hits) equal an uninterrupted scan's, no message was
# marked $NDRTriaged without being recorded, and the mailbox holds every message, none \Seen or deleted.
# Last, UIDVALIDITY changes while a scan waits for the server (see below).
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-fault-imap.XXXXXX")
PROXY_PID=
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

TOTAL=240
PROXY_PORT=29144
dovecot_with_variants "$TOTAL" 29143 29993 "$WORK"
password_file=$(ndr_password_file)

CONTROL=$WORK/fault
echo "off 0 0" > "$CONTROL"
python3 "$NDR_SOURCE_DIR/tests/integration/lib/imap_fault_proxy.py" "$PROXY_PORT" "$DOVECOT_PORT" "$CONTROL" \
    > "$WORK/proxy.out" 2>&1 &
PROXY_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/proxy.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/proxy.out" || { cat "$WORK/proxy.out" >&2; fail "fault proxy did not start"; }

# Through the proxy: plaintext (the proxy must see the commands), a 2 s timeout.
config() { # config STATE [FOLDER]
    cat > "$WORK/agent.toml" <<TOML
[imap]
host = "127.0.0.1"
port = $PROXY_PORT
tls = "none"
user = "$DOVECOT_USER"
password_file = "$password_file"
timeout_seconds = 2
folder = "${2:-INBOX}"
[state]
path = "$1"
TOML
}
scan() { # scan STATE [FOLDER]: exit code in $SCAN_RC, stderr in $WORK/scan.err
    config "$1" "${2:-}"
    SCAN_RC=0
    timeout 120 "$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" scan --json > "$WORK/scan.json" 2> "$WORK/scan.err" ||
        SCAN_RC=$?
}
counts() { # "messages ndrs records list_hits"
    "$NDR_TRIAGE" --no-site status --state "$1" --json > "$WORK/status.json" 2>/dev/null || { echo "0 0 0 0"; return; }
    echo "$(ndr_json_num "$WORK/status.json" messages) $(ndr_json_num "$WORK/status.json" ndrs)" \
        "$(ndr_json_num "$WORK/status.json" records) $(ndr_json_num "$WORK/status.json" list_hits)"
}
flagged() { imap_flags INBOX | grep -c '\$NDRTriaged' || true; }
clear_flags() { imap_session "SELECT INBOX" "UID STORE 1:* -FLAGS.SILENT (\$NDRTriaged)" > /dev/null; }

scan "$WORK/reference.db"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "reference scan through the proxy failed"; }
want=$(counts "$WORK/reference.db")
[[ ${want%% *} == "$TOTAL" ]] || fail "reference: $want, want $TOTAL messages"

# A first scan into STATE through the proxy in MODE (trace, late: one connection), from unflagged
# messages; fails the test unless it succeeds. The proxy's log is "$CONTROL.log".
proxied_scan() { # proxied_scan MODE STATE WHAT
    clear_flags
    rm -f "$2"*
    : > "$CONTROL.log"
    echo "$1 1 0" > "$CONTROL"
    scan "$2"
    ((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "$3 failed"; }
    echo "off 0 0" > "$CONTROL"
}

# Pipelining: the batches after the first are asked for before the first one's reply is read, so the
# server is never left waiting for the next UID FETCH (a round trip per batch on a real network). The
# proxy holds that reply back until it sees a second body FETCH (at most 1.5 s, under the agent's 2 s
# timeout; then it logs "waited").
proxied_scan trace "$WORK/trace.db" "traced scan"
fetches=$(grep -c '^C .* FETCH ' "$CONTROL.log" || true)
((fetches >= 3)) || fail "traced scan: $fetches body FETCHes for $TOTAL messages, want 3 batches: $(cat "$CONTROL.log")"
grep -qx ahead "$CONTROL.log" ||
    fail "traced scan: the second UID FETCH went out only after the first one's reply: $(cat "$CONTROL.log")"
[[ $(counts "$WORK/trace.db") == "$want" ]] || fail "traced scan: counts $(counts "$WORK/trace.db"), want $want"
# Dovecot gives its capabilities with the reply to LOGIN: no CAPABILITY command (a round trip) after it.
if grep -qx 'C CAPABILITY' "$CONTROL.log"; then
    fail "traced scan: CAPABILITY asked for although the LOGIN reply carried the capabilities"
fi
# A first scan's listing goes out with the SELECT (one round trip for both).
grep -qx 'C SELECT with listing' "$CONTROL.log" ||
    fail "traced scan: the listing was not sent with the SELECT: $(cat "$CONTROL.log")"
# A later pass's search for recorded messages without the keyword goes out with the SELECT too.
: > "$CONTROL.log"
echo "trace 1 0" > "$CONTROL"
scan "$WORK/trace.db"
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "traced rescan failed"; }
echo "off 0 0" > "$CONTROL"
grep -qx 'C SELECT with search' "$CONTROL.log" ||
    fail "traced rescan: the keyword search was not sent with the SELECT: $(cat "$CONTROL.log")"
echo "ok   pipelining: $fetches body FETCHes, the next ones sent before the first one's reply;" \
    "no CAPABILITY; the listing (first scan) and the keyword search (rescan) sent with the SELECT"

# The messages of a batch are used as they arrive: Dovecot answers FETCHes that reached it together
# with all their messages first and their tagged replies last, and a client that waited for the first
# batch's reply held every message until the whole window had come. The proxy holds those replies
# until the client sends another command (at most 1.5 s; then it logs "late: waited").
proxied_scan late "$WORK/late.db" "scan with late FETCH replies"
grep -qx 'late: released' "$CONTROL.log" ||
    fail "late FETCH replies: the scan waited for a tagged reply before using the messages: $(cat "$CONTROL.log")"
[[ $(counts "$WORK/late.db") == "$want" ]] || fail "late FETCH replies: counts $(counts "$WORK/late.db"), want $want"
[[ $(flagged) == "$TOTAL" ]] || fail "late FETCH replies: \$NDRTriaged on $(flagged), want $TOTAL"
echo "ok   late FETCH replies: messages used as they arrived"

for mode in ${NDR_FAULT_MODES:-drop stall malformed bye}; do
    # Once: the agent reconnects and the same scan completes.
    clear_flags
    rm -f "$WORK"/once.db*
    : > "$CONTROL.log"
    echo "$mode 1 30000" > "$CONTROL"
    scan "$WORK/once.db"
    [[ $(grep -c "^$mode$" "$CONTROL.log") == 1 ]] || fail "$mode once: the fault was not injected"
    ((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "$mode once: scan exit $SCAN_RC, want 0 (reconnect)"; }
    grep -qi 'reconnect' "$WORK/scan.err" || fail "$mode once: no reconnect logged: $(cat "$WORK/scan.err")"
    got=$(counts "$WORK/once.db")
    [[ $got == "$want" ]] || fail "$mode once: counts $got, want $want"
    echo "ok   $mode once: reconnected, counts $got"

    # Persistently: the scan stops with a clear error; the rest comes with the next scan.
    clear_flags
    rm -f "$WORK"/persist.db*
    echo "$mode 100 30000" > "$CONTROL"
    scan "$WORK/persist.db"
    cp "$WORK/scan.err" "$WORK/$mode-persistent.err"
    cp "$WORK/scan.json" "$WORK/$mode-persistent.json"
    ((SCAN_RC == 2)) || { cat "$WORK/scan.err" >&2; fail "$mode persistent: scan exit $SCAN_RC, want 2"; }
    last=$(grep '^ndr-triage scan: ' "$WORK/scan.err" | tail -1 || true)
    [[ -n $last ]] || fail "$mode persistent: no error line from scan: $(cat "$WORK/scan.err")"
    if LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$WORK/scan.err"; then fail "$mode: control bytes in the error output"; fi
    partial=$(counts "$WORK/persist.db")
    marked=$(flagged)
    ((${partial%% *} < TOTAL)) || fail "$mode persistent: all $TOTAL recorded despite the fault"
    ((marked <= ${partial%% *})) || fail "$mode persistent: $marked marked \$NDRTriaged but only ${partial%% *} recorded"
    echo "off 0 0" > "$CONTROL"
    scan "$WORK/persist.db"
    ((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "$mode: clean scan after the fault failed"; }
    got=$(counts "$WORK/persist.db")
    [[ $got == "$want" ]] || fail "$mode persistent: after a clean scan counts $got, want $want"
    echo "ok   $mode persistent: exit 2 ($last), ${partial%% *} then $TOTAL recorded, counts $got"
done

[[ $(imap_count INBOX) == "$TOTAL" ]] || fail "INBOX holds $(imap_count INBOX), want $TOTAL"
imap_flags INBOX > "$WORK/flags"
if grep -q '\\Seen' "$WORK/flags"; then fail "messages marked \\Seen"; fi
if grep -q '\\Deleted' "$WORK/flags"; then fail "messages marked \\Deleted"; fi
[[ $(grep -c '\$NDRTriaged' "$WORK/flags") == "$TOTAL" ]] || fail "\$NDRTriaged on $(grep -c '\$NDRTriaged' "$WORK/flags"), want $TOTAL"

# UIDVALIDITY changes in the middle of a scan: the server stops answering mid-fetch, and while the agent
# waits the folder is deleted and made again with the same messages (new UIDVALIDITY, new UIDs). The
# scan must stop (it cannot trust its UIDs), and the next one rescans by fingerprint, counting nothing twice.
refill() {
    imap_session "DELETE Bounces" > /dev/null 2>&1 || true
    imap_session "CREATE Bounces" "SELECT INBOX" "UID COPY 1:* Bounces" "SELECT Bounces" \
        "UID STORE 1:* -FLAGS.SILENT (\$NDRTriaged)" > /dev/null
}
refill
echo "off 0 0" > "$CONTROL"
scan "$WORK/uv-reference.db" Bounces
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "UIDVALIDITY: reference scan of Bounces failed"; }
want_uv=$(counts "$WORK/uv-reference.db")
refill
before=$(imap_uidvalidity Bounces)
: > "$CONTROL.log"
echo "stall 1 300000" > "$CONTROL" # in the second batch of 100: the first is recorded
config "$WORK/uv.db" Bounces
timeout 120 "$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" scan --json > "$WORK/uv.json" 2> "$WORK/uv.err" &
uv_pid=$!
for _ in $(seq 200); do grep -q stall "$CONTROL.log" && break; sleep 0.05; done
grep -q stall "$CONTROL.log" || fail "UIDVALIDITY: the stall was not injected"
refill
after=$(imap_uidvalidity Bounces)
[[ -n $before && $before != "$after" ]] || fail "UIDVALIDITY did not change ($before → $after)"
rc=0
wait "$uv_pid" || rc=$?
((rc == 2)) || { cat "$WORK/uv.err" >&2; fail "UIDVALIDITY changed mid-scan: exit $rc, want 2"; }
grep -q 'UIDVALIDITY' "$WORK/uv.err" || fail "UIDVALIDITY changed mid-scan: not named in the error: $(tail -3 "$WORK/uv.err")"
partial=$(counts "$WORK/uv.db")
scan "$WORK/uv.db" Bounces
((SCAN_RC == 0)) || { cat "$WORK/scan.err" >&2; fail "UIDVALIDITY: the scan after the change failed"; }
grep -q '"uidvalidity_changed": true' "$WORK/scan.json" || fail "UIDVALIDITY: the rescan did not report the change"
got=$(counts "$WORK/uv.db")
[[ $got == "$want_uv" ]] || fail "UIDVALIDITY changed mid-scan: counts $got, want $want_uv"
imap_flags Bounces > "$WORK/bflags"
[[ $(grep -c '\$NDRTriaged' "$WORK/bflags") == "$TOTAL" ]] ||
    fail "UIDVALIDITY: \$NDRTriaged on $(grep -c '\$NDRTriaged' "$WORK/bflags") of Bounces, want $TOTAL"
echo "ok   UIDVALIDITY changed mid-scan ($before → $after): exit 2 with ${partial%% *} recorded, then counts $got"
echo "fault_imap: ok ($want)"

#!/usr/bin/env bash
# fault_sigkill.sh — SIGKILL at random instants of an IMAP scan (connecting, logging in, fetching,
# between the database commit and the keyword STORE, ...), at least 20 times. Each killed scan is
# resumed by the next one; once the state is complete a clean scan ends the series and its state must
# equal an uninterrupted scan's (messages, NDRs, records, unparsed, list hits, incidents, reasons), and
# the mailbox must hold every message, none \Seen or deleted, each marked $NDRTriaged once.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-fault-kill.XXXXXX")
SCAN_PID=
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $SCAN_PID ]] && kill -KILL "$SCAN_PID" 2>/dev/null
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

TOTAL=${NDR_SIGKILL_MESSAGES:-600}
WANT_KILLS=${NDR_SIGKILL_KILLS:-20}
dovecot_with_variants "$TOTAL" 28143 28993 "$WORK"
mapfile -t ARGS < <(ndr_imap_args)
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" "$@"; }
summary() { # summary STATE: every count the state holds, as one line
    triage status --state "$1" --json > "$WORK/status.json"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
print((d['messages'], d['ndrs'], d['records'], d['unparsed'], d['list_hits'],
       sorted((i['list'], i['listed'], i['bounces'], i['records']) for i in d['incidents']), sorted(d['reasons'].items())))" \
        "$WORK/status.json"
}
recorded() {
    if [[ -s $1 ]]; then sqlite3 -cmd ".timeout 2000" "$1" "SELECT COUNT(*) FROM messages" 2>/dev/null || echo 0; else echo 0; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Dovecot lets one user hold 20 connections from one address; it frees the slot of a killed client
# only once its imap process notices the closed socket. Wait for that (at most 10 s).
wait_connections() {
    local deadline=$((SECONDS + 10))
    while (($(ss -Htn state established "( sport = :$DOVECOT_TLS_PORT )" | wc -l) > 4)); do
        ((SECONDS < deadline)) || return 0
        sleep 0.05
    done
}

start=$(now_ms)
triage scan "${ARGS[@]}" --state "$WORK/reference.db" --json > /dev/null 2> "$WORK/ref.err" ||
    { cat "$WORK/ref.err" >&2; fail "reference scan failed"; }
ref_ms=$(($(now_ms) - start))
want=$(summary "$WORK/reference.db")
[[ $(recorded "$WORK/reference.db") == "$TOTAL" ]] || fail "reference scan did not record $TOTAL messages"
# Kills land anywhere in a whole scan's time (start-up, connecting, fetching, committing, flagging,
# the incident step). A resumed scan has less left to do, so it outlives its kill sooner or later and
# the series ends; a run of series collects the kills.
max_delay=$((ref_ms > 50 ? ref_ms : 50))
echo "reference: $TOTAL messages in $ref_ms ms; kills after 0-$max_delay ms"

kills=0 series=0 attempts=0
while ((kills < WANT_KILLS)); do
    series=$((series + 1))
    state=$WORK/killed-$series.db
    imap_session "SELECT INBOX" "UID STORE 1:* -FLAGS.SILENT (\$NDRTriaged)" > /dev/null
    previous=0
    while (($(recorded "$state") < TOTAL)); do
        attempts=$((attempts + 1))
        ((attempts <= 200)) || fail "200 attempts and only $kills kills"
        delay=$((RANDOM % max_delay))
        # The binary itself, not the triage function: `function &` forks a subshell, and killing that
        # would leave the scan running on (and racing the next one).
        "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" \
            scan "${ARGS[@]}" --state "$state" --json > /dev/null 2>> "$WORK/killed.err" &
        SCAN_PID=$!
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        if kill -KILL "$SCAN_PID" 2>/dev/null; then kills=$((kills + 1)); fi
        wait "$SCAN_PID" 2>/dev/null || true
        SCAN_PID=
        wait_connections
        now=$(recorded "$state")
        ((now >= previous)) || fail "recorded count went down: $now after $previous"
        previous=$now
        ((kills >= WANT_KILLS)) && break
    done
    # Complete the series with a clean scan; it must add exactly what is missing.
    triage scan "${ARGS[@]}" --state "$state" --json > "$WORK/final.json" 2> "$WORK/final.err" ||
        { cat "$WORK/final.err" >&2; fail "series $series: final scan failed"; }
    got=$(summary "$state")
    [[ $got == "$want" ]] || fail "series $series ($kills kills so far): state differs from an uninterrupted scan
  got  $got
  want $want"
    imap_flags INBOX > "$WORK/flags"
    if grep -q '\\Seen\|\\Deleted' "$WORK/flags"; then fail "series $series: messages marked \\Seen or \\Deleted"; fi
    [[ $(grep -c '\$NDRTriaged' "$WORK/flags") == "$TOTAL" ]] ||
        fail "series $series: \$NDRTriaged on $(grep -c '\$NDRTriaged' "$WORK/flags"), want $TOTAL"
    echo "ok   series $series: $kills kills so far, state equals the uninterrupted scan's"
done
[[ $(imap_count INBOX) == "$TOTAL" ]] || fail "INBOX holds $(imap_count INBOX), want $TOTAL"
if grep -qi 'AddressSanitizer\|terminate called\|database disk image is malformed' "$WORK/killed.err"; then
    fail "a killed or resumed scan reported: $(grep -i 'AddressSanitizer\|terminate\|malformed' "$WORK/killed.err" | head -3)"
fi
echo "fault_sigkill: ok ($kills kills in $attempts attempts, $series series): ${want%%, [[]*}, ...)"

#!/usr/bin/env bash
# imap_service.sh — `ndr-triage run` against a real Dovecot: the first pass records the INBOX, a message
# APPENDed while the service waits (IMAP IDLE) is recorded within seconds, SIGHUP reloads, SIGTERM
# stops it with exit code 0. `run --once` does one pass and exits.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; [[ -f ${WORK:-}/run.err ]] && tail -20 "$WORK/run.err" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-svc.XXXXXX")
RUN_PID=
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $RUN_PID ]] && kill -KILL "$RUN_PID" 2>/dev/null
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

dovecot_setup 26143 26993
dovecot_start
ndr_make_variants 12 "$WORK/msgs"
for i in 01 02 03 04 05 06 07 08 09 10; do dovecot_deliver "$WORK/msgs/variant-0000$i.eml"; done
ndr_imap_toml > "$WORK/agent.toml"
cat >> "$WORK/agent.toml" <<TOML
[state]
path = "$WORK/state.db"
[service]
poll_seconds = 5
TOML

messages() {
    "$NDR_TRIAGE" --no-site status --state "$WORK/state.db" --json > "$WORK/status.json" 2>/dev/null || { echo 0; return; }
    ndr_json_num "$WORK/status.json" messages
}
wait_messages() { # wait_messages N SECONDS
    local deadline=$((SECONDS + $2))
    until [[ $(messages) == "$1" ]]; do
        ((SECONDS < deadline)) || fail "want $1 messages recorded within $2 s, have $(messages)"
        kill -0 "$RUN_PID" 2>/dev/null || fail "the service exited"
        sleep 0.1
    done
}

# --once: one pass, exit 0.
"$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" run --once --state "$WORK/once.db" 2> "$WORK/once.err" ||
    { cat "$WORK/once.err" >&2; fail "run --once failed"; }
"$NDR_TRIAGE" --no-site status --state "$WORK/once.db" --json > "$WORK/once.json"
[[ $(ndr_json_num "$WORK/once.json" messages) == 10 ]] || fail "run --once recorded $(ndr_json_num "$WORK/once.json" messages), want 10"

"$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" run --verbose 2> "$WORK/run.err" &
RUN_PID=$!
wait_messages 10 20
grep -q "info: watching imap://" "$WORK/run.err" || fail "no start line in the log"

# New mail while the service waits in IDLE: over IMAP APPEND, then by maildir delivery.
sleep 0.5
start=$SECONDS
dovecot_append INBOX "$WORK/msgs/variant-000011.eml"
wait_messages 11 60
dovecot_deliver "$WORK/msgs/variant-000012.eml"
wait_messages 12 60
echo "new mail recorded within $((SECONDS - start)) s"
grep -q "new mail announced by IDLE" "$WORK/run.err" || fail "the service did not wake up through IDLE"

kill -HUP "$RUN_PID"
deadline=$((SECONDS + 10))
until grep -q "configuration and rules reloaded" "$WORK/run.err"; do
    ((SECONDS < deadline)) || fail "SIGHUP: no reload within 10 s"
    sleep 0.1
done

kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
RUN_PID=
[[ $rc == 0 ]] || fail "SIGTERM: exit code $rc, want 0"
grep -q "stopping on request" "$WORK/run.err" || fail "no stop line in the log"
if grep -q "$DOVECOT_PASSWORD" "$WORK/run.err"; then fail "the password appears in the log"; fi
if imap_flags INBOX | grep -q '\\Seen'; then fail "messages marked \\Seen"; fi
echo "imap_service: ok"

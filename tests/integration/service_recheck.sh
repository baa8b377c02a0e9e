#!/usr/bin/env bash
# service_recheck.sh — `ndr-triage run` keeps checking incidents: the story bounces (real Dovecot on
# loopback) open a SpamCop incident while rbldnsd lists our IP; the listing is then lifted, and without
# any new mail the service's re-check (made due at once by SIGHUP, as after every reload; otherwise every
# [service] recheck_minutes) moves the incident to resolved with an event. The XBL listing stays.
set -euo pipefail
: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}"
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"
source "$NDR_SOURCE_DIR/tests/integration/lib/rbldnsd.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-svc-recheck.XXXXXX")
RUN_PID=
fail() { echo "FAIL: $*" >&2; [[ -f $WORK/run.err ]] && tail -20 "$WORK/run.err" >&2; exit 1; }
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n $RUN_PID ]] && kill -KILL "$RUN_PID" 2>/dev/null
    dovecot_cleanup
    rbl_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/incidents-story"

serve_zones() { # serve_zones: rbldnsd on 127.0.0.1:15364 with the files in $RBL_DIR
    chmod 755 "$RBL_DIR"; chmod 644 "$RBL_DIR"/*
    rbl_start 15364 xbl.spamhaus.org:ip4set:xbl.ip4set bl.spamcop.net:ip4set:spamcop.ip4set
}
RBL_DIR="$(mktemp -d /tmp/ndr-rbl.XXXXXX)"
cp "$data"/zones/* "$RBL_DIR"/
serve_zones

dovecot_setup 26343 26393
dovecot_start
for f in "$data"/0*.eml; do dovecot_deliver "$f"; done
ndr_imap_toml > "$WORK/agent.toml"
cat >> "$WORK/agent.toml" <<TOML
[identity]
outbound_ips = ["192.0.2.16/28"]
domains = ["example.com"]
admin_email = "postmaster@example.com"
[dns]
resolvers = ["127.0.0.1:15364"]
timeout_ms = 500
[state]
path = "$WORK/state.db"
[service]
poll_seconds = 5
recheck_minutes = 60
TOML
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" --config "$WORK/agent.toml" "$@"; }
status_of() { # status_of LIST: the incident's status, or "none"
    triage incidents list --all --json 2>/dev/null |
        python3 -c "import json,sys; d=json.load(sys.stdin); print(([i['status'] for i in d if i['list']==sys.argv[1]] or ['none'])[0])" "$1" 2>/dev/null ||
        echo none
}
wait_status() { # wait_status LIST STATUS SECONDS
    local deadline=$((SECONDS + $3)) got
    until got=$(status_of "$1"); [[ $got == "$2" ]]; do
        ((SECONDS < deadline)) || fail "$1: want $2 within $3 s, have $got"
        kill -0 "$RUN_PID" 2>/dev/null || fail "the service exited"
        sleep 0.2
    done
    echo "ok: $1 $2"
}

# The binary itself in the background (not through the triage function's subshell): signals reach it.
"$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" --config "$WORK/agent.toml" run --verbose \
    2> "$WORK/run.err" &
RUN_PID=$!
wait_status spamcop fix-first 30
wait_status spamhaus-xbl fix-first 5

# The listing lapses; no new mail arrives. Give the service time to settle into its wait first.
sleep 1
rbl_cleanup
RBL_DIR="$(mktemp -d /tmp/ndr-rbl.XXXXXX)"
cp "$data"/zones/* "$RBL_DIR"/
sed -i '/^192.0.2.25$/d' "$RBL_DIR/spamcop.ip4set"
serve_zones
before=$(grep -c "configuration and rules reloaded" "$WORK/run.err" || true)
kill -HUP "$RUN_PID"
wait_status spamcop resolved 30
[[ $(status_of spamhaus-xbl) == fix-first ]] || fail "XBL (still listed) changed to $(status_of spamhaus-xbl)"
(($(grep -c "configuration and rules reloaded" "$WORK/run.err") > before)) || fail "no reload logged"

id=$(triage incidents list --all --json | python3 -c "import json,sys; print([i['id'] for i in json.load(sys.stdin) if i['list']=='spamcop'][0])")
triage incidents show "$id" --json > "$WORK/cop.json"
python3 - "$WORK/cop.json" <<'PY' || fail "no resolved event for the SpamCop incident"
import json, sys
d = json.load(open(sys.argv[1]))
details = [e["detail"] for e in d["events"] if e["kind"] == "status"]
assert details and details[-1].endswith("-> resolved: the listing has cleared (DNSBL re-check)"), details
PY
echo "ok: resolved event recorded"
# Nothing new was fetched for it: the same five messages.
triage status --json > "$WORK/status.json"
[[ $(ndr_json_num "$WORK/status.json" messages) == 5 ]] || fail "messages: $(ndr_json_num "$WORK/status.json" messages), want 5"

kill -TERM "$RUN_PID"
rc=0
wait "$RUN_PID" || rc=$?
RUN_PID=
[[ $rc == 0 ]] || fail "SIGTERM: exit code $rc, want 0"
echo "service_recheck: ok"

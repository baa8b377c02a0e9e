#!/usr/bin/env bash
# scan_local_sigkill.sh — a scan killed with SIGKILL at random instants, then run to completion, leaves
# exactly the counts of an uninterrupted scan: no bounce lost, none counted twice. 2000 bounces made
# from the fixtures in tests/integration/data/scan, in a maildir; each run resumes where the last died.
set -euo pipefail

: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}" "${NDR_BUILD_DIR:?}"
work=$(mktemp -d "$NDR_BUILD_DIR/scan-local-sigkill.XXXXXX")
pid=""
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/scan"
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" "$@"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Distinct messages from the fixtures: each with a numbered Message-Id, recipient and listed address.
maildir="$work/Maildir"
count=2000
python3 - "$data" "$maildir" "$count" <<'PY'
import os, re, sys
data, maildir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(maildir, sub))
templates = [open(os.path.join(data, f), "rb").read() for f in sorted(os.listdir(data)) if f.endswith(".eml")]
for i in range(1, count + 1):
    t = templates[i % len(templates)]
    t = re.sub(rb"(Message-I[dD]: <[^@]*)@", rb"\g<1>-%d@" % i, t)
    t = re.sub(rb"\b(bob|carol|dave|nobody)@", b"user%d@" % i, t)
    t = t.replace(b"198.51.100.23", b"198.51.100.%d" % (i % 5 + 1))
    open(os.path.join(maildir, "cur", "1700%06d.M%dP1.test:2,S" % (i, i)), "wb").write(t)
PY

# Reference: one uninterrupted scan.
triage scan --maildir "$maildir" --state "$work/reference.db" --json >"$work/reference-scan.json"
[ "$(json "$work/reference-scan.json" "d['new']")" = "$count" ] || fail "reference scan did not record $count messages"
triage status --state "$work/reference.db" --json >"$work/reference.json"

# recorded FILE: messages in the state database, read with the sqlite3 shell while a scan writes
# (WAL: readers do not block it). Only once the file exists: the shell would create it otherwise.
recorded() {
    if [ -s "$1" ]; then sqlite3 -cmd ".timeout 2000" "$1" "SELECT COUNT(*) FROM messages" 2>/dev/null || echo 0
    else echo 0; fi
}

# Killed at random points: each attempt picks a random number of further messages, watches the
# database and sends SIGKILL as soon as that many more are recorded (wherever the scan then is: mid
# transaction, between two, while fetching), then the next attempt resumes.
state="$work/killed.db"
kills=0
previous=0
for attempt in 1 2 3 4 5 6 7 8; do
    target=$(( previous + 1 + RANDOM % (count / 20) ))
    # The binary itself: killing a backgrounded function's subshell would leave the scan running.
    "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" \
        scan --maildir "$maildir" --state "$state" --json >/dev/null 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$(recorded "$state")" -ge "$target" ]; then
            kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
            break
        fi
        sleep 0.002
    done
    wait "$pid" 2>/dev/null || true
    pid=""
    now=$(recorded "$state")
    echo "attempt $attempt: SIGKILL aimed at $target messages, $now recorded"
    [ "$now" -ge "$previous" ] || fail "recorded count went down: $now after $previous"
    previous=$now
done
[ "$kills" -ge 1 ] || fail "the scan always finished before SIGKILL: no kill happened"
triage scan --maildir "$maildir" --state "$state" --json >"$work/final-scan.json"
triage status --state "$state" --json >"$work/killed.json"

summary="(d['messages'], d['ndrs'], d['records'], d['unparsed'], d['list_hits'], sorted((i['list'], i['listed'], i['bounces'], i['records']) for i in d['incidents']), sorted(d['reasons'].items()))"
want=$(json "$work/reference.json" "$summary")
got=$(json "$work/killed.json" "$summary")
[ "$got" = "$want" ] || fail "counts after $kills kills differ from an uninterrupted run:
  got  $got
  want $want"
[ "$(json "$work/killed.json" "d['messages']")" = "$count" ] || fail "not all $count messages recorded"
echo "ok: $kills kills, counts identical: $got"
echo "PASS"

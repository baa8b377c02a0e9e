#!/usr/bin/env bash
# fault_hostile_output.sh — every hostile fixture (fixtures/ndr/hostile, escapes, CR/LF injection, bidi
# overrides, NUL and C1 bytes, lying charsets, ...) goes through every output path: `classify` text and
# JSON, `scan` of a maildir holding them (text report, JSON report, log lines on stderr), `status`, and
# the state database. None of it may carry a control character (but the newlines that separate output
# lines), an escape sequence, a bidi override or a zero-width character, and nothing may crash.
set -euo pipefail
: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-hostile-out.XXXXXX")
cleanup() { set +e; [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" "$@"; }

mapfile -t FIXTURES < <(find "$NDR_SOURCE_DIR/fixtures/ndr/hostile" -name '*.eml' | sort)
((${#FIXTURES[@]} >= 30)) || fail "want the hostile fixtures, found ${#FIXTURES[@]}"
mkdir -p "$WORK/Maildir/cur" "$WORK/Maildir/new" "$WORK/Maildir/tmp"
n=0
for f in "${FIXTURES[@]}"; do
    n=$((n + 1))
    cp "$f" "$WORK/Maildir/cur/17000000$n.M${n}P1.test:2,S"
done

# clean FILE WHAT: FILE (UTF-8 text) holds no control but LF, no escape, no bidi or zero-width character.
clean() {
    python3 - "$1" "$2" <<'PY' || exit 1
import re, sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit(f"FAIL: {sys.argv[2]}: not UTF-8 ({e})")
bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
m = bad.search(text)
if m:
    at = m.start()
    sys.exit(f"FAIL: {sys.argv[2]}: U+{ord(m.group()):04X} at {at}: {text[max(0, at - 40):at + 20]!r}")
PY
    echo "ok   $2"
}
run() { # run WHAT CMD...: stdout and stderr kept, exit codes 0-3 allowed (no crash)
    local what=$1 rc=0
    shift
    "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
    ((rc <= 3)) || { cat "$WORK/err" >&2; fail "$what: exit $rc"; }
    clean "$WORK/out" "$what: stdout"
    clean "$WORK/err" "$what: stderr"
}

run "classify (text)" triage classify "${FIXTURES[@]}"
run "classify --json" triage classify --json "${FIXTURES[@]}"
[[ $(grep -c '"kind"' "$WORK/out") -ge ${#FIXTURES[@]} ]] || fail "classify --json: fewer objects than fixtures"
run "scan --maildir (text report)" triage scan --maildir "$WORK/Maildir" --state "$WORK/state.db"
rm -f "$WORK"/state.db*
run "scan --maildir --json" triage scan --maildir "$WORK/Maildir" --state "$WORK/state.db" --json
grep -q "\"new\": $n," "$WORK/out" || fail "scan: not all $n hostile messages recorded: $(grep '"new"' "$WORK/out")"
run "status (text)" triage status --state "$WORK/state.db"
run "status --json" triage status --state "$WORK/state.db" --json

# Every TEXT value in every table of the state database.
python3 - "$WORK/state.db" <<'PY'
import re, sqlite3, sys
bad = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
db = sqlite3.connect(sys.argv[1])
db.text_factory = bytes
checked = 0
for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
    t = table.decode()
    for row in db.execute(f'SELECT * FROM "{t}"'):
        for value in row:
            if not isinstance(value, bytes):
                continue
            checked += 1
            try:
                s = value.decode("utf-8")
            except UnicodeDecodeError:
                sys.exit(f"FAIL: database: {t}: a value is not UTF-8: {value[:60]!r}")
            # The anomalies column holds a JSON array; every other value is one line of sanitised text.
            m = bad.search(s)
            if m:
                sys.exit(f"FAIL: database: {t}: U+{ord(m.group()):04X} in {s[:80]!r}")
print(f"ok   database: {checked} text values clean")
PY
echo "fault_hostile_output: ok ($n hostile messages)"

#!/usr/bin/env bash
# imap_demo.sh — the README's demo (tests/demo/demo.sh) runs and prints a triage report with incidents.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp "${TMPDIR:-/tmp}/ndr-demo-out.XXXXXX")
trap 'rm -f "$out"' EXIT
NDR_DEMO_PORT=27543 bash "$NDR_SOURCE_DIR/tests/demo/demo.sh" "$NDR_TRIAGE" --json > "$out" 2> "$out.err" ||
    { cat "$out.err" >&2; rm -f "$out.err"; fail "demo failed"; }
rm -f "$out.err"
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"
total=$(find "$NDR_SOURCE_DIR/fixtures/ndr" -name '*.eml' | wc -l)
[[ $(ndr_json_num "$out" new) == "$total" ]] || fail "demo recorded $(ndr_json_num "$out" new) messages, want $total"
grep -q '"listed":' "$out" || fail "demo report lists no incident"
DOVECOT_PORT=27543
if dovecot_probe; then fail "the demo left Dovecot running"; fi
echo "imap_demo: ok ($total messages)"

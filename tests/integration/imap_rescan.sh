#!/usr/bin/env bash
# imap_rescan.sh — a rescan with nothing new (issue 5: < 100 ms) neither compiles the rules nor
# re-evaluates the incidents, and reports exactly what a pass that compiled them reports; a rescan
# with new mail records it and updates the incidents; an operator's change (`incidents fixed`), other
# rule files or another identity make the next rescan re-evaluate.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-rescan.XXXXXX")
cleanup() { set +e; dovecot_cleanup; [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"; return 0; }
trap cleanup EXIT

dovecot_with_fixtures 27143 27993
mapfile -t ARGS < <(ndr_imap_args)
SKIPPED='incidents not re-evaluated'
NOT_COMPILED='rules not compiled'

scan() { # scan NAME [extra global options]: a text pass (the log on stderr)
    local name=$1
    shift
    "$NDR_TRIAGE" --no-site "$@" scan "${ARGS[@]}" --state "$WORK/state.db" > "$WORK/$name.out" 2> "$WORK/$name.err" ||
        { cat "$WORK/$name.err" >&2; fail "$name: scan failed"; }
}
json() { # json NAME [extra global options]: a pass with --json
    local name=$1
    shift
    "$NDR_TRIAGE" --no-site "$@" scan "${ARGS[@]}" --state "$WORK/state.db" --json > "$WORK/$name.json" \
        2> "$WORK/$name.err" || { cat "$WORK/$name.err" >&2; fail "$name: scan failed"; }
}
has() { grep -qF "$2" "$WORK/$1.err" || { cat "$WORK/$1.err" >&2; fail "$1: no '$2' on stderr"; }; }
hasnt() { ! grep -qF "$2" "$WORK/$1.err" || { cat "$WORK/$1.err" >&2; fail "$1: '$2' on stderr"; }; }
num() { ndr_json_num "$WORK/$1.json" "$2"; }
# The report without the pass's own times.
incidents_of() { sed -n '/"incidents": \[/,/^  \],/p' "$WORK/$1.json" | grep -v '_at"'; }

scan first
hasnt first "$SKIPPED"
hasnt first "$NOT_COMPILED"
grep -q 'incident' "$WORK/first.out" || fail "first: no incident in the report"

# Nothing new: neither the rules nor the incident step.
scan rescan
has rescan "$SKIPPED"
has rescan "$NOT_COMPILED"
json rescan
[[ $(num rescan new) == 0 ]] || fail "rescan: new = $(num rescan new)"
# The same report as a pass that compiles the rules (an extra site rule file changes the rule key).
mkdir -p "$WORK/site"
cat > "$WORK/site/zz-extra.toml" <<'TOML'
name = "Extra test list"
kind = "ip-dnsbl"
home = "https://extra.example/"
[removal]
method = "none"
[[match]]
id = "p"
pattern = 'rejected by the extra test list'
source = "test"
[[sample]]
text = "550 rejected by the extra test list"
expect = [{ list = "zz-extra", rule = "p" }]
TOML
json compiled --rules-dir "$WORK/site"
hasnt compiled "$NOT_COMPILED"
[[ -s $WORK/rescan.json ]] && incidents_of rescan > "$WORK/a" && incidents_of compiled > "$WORK/b"
[[ $(wc -l < "$WORK/a") -gt 10 ]] || fail "rescan: no incidents in the JSON report"
diff "$WORK/a" "$WORK/b" > /dev/null || { diff "$WORK/a" "$WORK/b" >&2; fail "the rescan's report differs from a compiled pass's"; }
scan compiled-again --rules-dir "$WORK/site"
has compiled-again "$SKIPPED"
has compiled-again "$NOT_COMPILED"

# New mail: recorded, analysed, incidents updated.
before=$(sed -n 's/^      "bounces": \([0-9]*\),/\1/p' "$WORK/rescan.json" | awk '{ s += $1 } END { print s + 0 }')
mkdir -p "$WORK/new"
for i in 1 2 3; do # a Spamhaus listing with new Message-IDs (new fingerprints)
    sed "s/^Message-ID:.*/Message-ID: <rescan-$i@ndr-test.example>/I" "$NDR_SOURCE_DIR/fixtures/ndr/rfc3464/blocklisted.eml" \
        > "$WORK/new/rescan-$i.eml"
done
dovecot_deliver "$WORK/new"/rescan-*.eml
json newmail
[[ $(num newmail new) == 3 ]] || fail "newmail: new = $(num newmail new), want 3"
hasnt newmail "$SKIPPED"
after=$(sed -n 's/^      "bounces": \([0-9]*\),/\1/p' "$WORK/newmail.json" | awk '{ s += $1 } END { print s + 0 }')
((after > before)) || fail "newmail: incident bounces $before -> $after, want more"
grep -q '"new_bounces": [1-9]' "$WORK/newmail.json" || fail "newmail: no incident counts the new bounces"
scan quiet-again
has quiet-again "$SKIPPED"

# An operator's change to an incident (`incidents fixed`): the next rescan re-evaluates.
printf '[state]\npath = "%s"\n' "$WORK/state.db" > "$WORK/state.toml"
review() { "$NDR_TRIAGE" --no-site --config "$WORK/state.toml" "$@"; }
review incidents list --json > "$WORK/list.json"
fix_id=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
rows = d if isinstance(d, list) else d.get("incidents", [])
print(next((str(i["id"]) for i in rows if i.get("status") == "fix-first"), ""))' "$WORK/list.json")
[[ -n $fix_id ]] || fail "no fix-first incident among the fixtures' incidents"
review incidents fixed "$fix_id" --note "host cleaned" > /dev/null 2>&1
scan after-fixed
hasnt after-fixed "$SKIPPED"
scan after-fixed-again
has after-fixed-again "$SKIPPED"

# Another identity changes the plans: re-evaluated.
cat > "$WORK/agent.toml" <<TOML
$(ndr_imap_toml)
[state]
path = "$WORK/state.db"
[identity]
admin_name = "Someone Else"
admin_email = "someone@example.test"
TOML
"$NDR_TRIAGE" --no-site --config "$WORK/agent.toml" scan > "$WORK/identity.out" 2> "$WORK/identity.err" ||
    { cat "$WORK/identity.err" >&2; fail "identity: scan failed"; }
hasnt identity "$SKIPPED"
echo "imap_rescan: ok"

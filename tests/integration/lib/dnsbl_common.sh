# tests/integration/lib/dnsbl_common.sh — shared helpers of the tests/integration/dnsbl_*.sh scripts:
# the test rule set, a `check` wrapper that captures JSON output and the exit code, and assertions that
# print "got X, want Y". Needs jq.

: "${NDR_TRIAGE:?NDR_TRIAGE must name the ndr-triage binary}"
: "${NDR_SOURCE_DIR:?NDR_SOURCE_DIR must name the source tree}"
source "$NDR_SOURCE_DIR/tests/integration/lib/rbldnsd.sh"

DNSBL_RULES=(--shipped-rules "$NDR_SOURCE_DIR/tests/integration/data/dnsbl/rules.d" --no-site)
FAILURES=0
OUT=""
RC=0

# run_check ARGS... — runs `ndr-triage check ARGS...`; stdout in $OUT, exit code in $RC.
run_check() {
    set +e
    OUT="$("$NDR_TRIAGE" "${DNSBL_RULES[@]}" check "$@" 2>"$RBL_DIR/stderr")"
    RC=$?
    set -e
}

# field TARGET LIST JQ — a field of the (target, list) result in $OUT (JSON), e.g. '.outcome'.
field() {
    jq -r --arg t "$1" --arg l "$2" "[.[] | select(.target == \$t and .list == \$l)] | if length == 1 then .[0] | $3 else \"<\(length) results>\" end" <<<"$OUT"
}

expect() {
    local what="$1" got="$2" want="$3"
    if [[ "$got" == "$want" ]]; then
        echo "ok   $what"
    else
        echo "FAIL $what: got '$got', want '$want'"
        FAILURES=$((FAILURES + 1))
    fi
}

finish() {
    if ((FAILURES > 0)); then
        echo "$FAILURES check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}

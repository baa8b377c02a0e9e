#!/usr/bin/env bash
# allocator.sh — the executable's malloc is the one the build asked for: mimalloc when the build tree
# has NDR_MIMALLOC=ON and neither NDR_SANITIZE nor NDR_FUZZ (CMakeLists.txt), glibc's otherwise (the
# sanitizers bring their own). Checked from the outside: mimalloc announces its start-up when
# MIMALLOC_VERBOSE=1.
set -euo pipefail
: "${NDR_TRIAGE:?NDR_TRIAGE must name the ndr-triage binary}"
: "${NDR_BUILD_DIR:?NDR_BUILD_DIR must name the build tree}"
FAILURES=0
fail() { echo "FAIL $*"; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok   $*"; }

cache() { sed -n "s/^$1:BOOL=//p" "$NDR_BUILD_DIR/CMakeCache.txt"; }
want=glibc
[[ $(cache NDR_MIMALLOC) == ON && $(cache NDR_SANITIZE) != ON && $(cache NDR_FUZZ) != ON ]] && want=mimalloc

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-alloc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
MIMALLOC_VERBOSE=1 "$NDR_TRIAGE" --version > "$WORK/version" 2> "$WORK/verbose"
got=glibc
grep -q '^mimalloc: process init' "$WORK/verbose" && got=mimalloc
[[ $got == "$want" ]] && ok "malloc is $got" || fail "malloc is $got, the build asked for $want"
if [[ $want == mimalloc ]]; then
    readelf -d "$NDR_TRIAGE" | grep -q 'NEEDED.*libmimalloc' && ok "libmimalloc is a NEEDED library" ||
        fail "libmimalloc is not among the NEEDED libraries"
fi

((FAILURES == 0)) || { echo "$FAILURES failure(s)"; exit 1; }
echo "all ok"

#!/usr/bin/env bash
# package_deb.sh — the Debian package: builds it with `cpack -G DEB` from the build tree (into a temp
# directory, never into the build tree), checks its control data (Depends computed by dpkg-shlibdeps,
# the conffile, maintainer scripts) and its file list, extracts it with `dpkg -x` into a temp root,
# runs the extracted `ndr-triage --version` and `config check` on the shipped example configuration,
# and runs `systemd-analyze verify` (no complaint at all) and `systemd-analyze security --offline`
# on the shipped unit. Needs cpack, dpkg-deb, dpkg-shlibdeps (dpkg-dev), file and systemd.
set -euo pipefail
: "${NDR_BUILD_DIR:?NDR_BUILD_DIR must name the build tree}"
: "${NDR_SOURCE_DIR:?NDR_SOURCE_DIR must name the source tree}"
FAILURES=0
fail() { echo "FAIL $*"; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok   $*"; }
for tool in cpack dpkg-deb dpkg-shlibdeps file systemd-analyze; do
    command -v "$tool" > /dev/null || { echo "FAIL $tool is not installed (packaging/install-build-deps.sh installs it)"; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The package's files come from `cmake --install`: the man page is an ALL target, build it if needed.
cmake --build "$NDR_BUILD_DIR" --target manpage > /dev/null
(cd "$WORK" && cpack -G DEB --config "$NDR_BUILD_DIR/CPackConfig.cmake" -B "$WORK/out" > "$WORK/cpack.log" 2>&1) ||
    { cat "$WORK/cpack.log"; echo "FAIL cpack -G DEB"; exit 1; }
debs=("$WORK"/out/*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || { cat "$WORK/cpack.log"; echo "FAIL want one .deb, got ${debs[*]}"; exit 1; }
DEB=${debs[0]}
version=$(sed -n 's/^project(ndr-triage VERSION \([0-9.]*\).*/\1/p' "$NDR_SOURCE_DIR/CMakeLists.txt")
[[ $(basename "$DEB") == "ndr-triage_${version}_$(dpkg --print-architecture).deb" ]] &&
    ok "file name $(basename "$DEB")" || fail "file name $(basename "$DEB"), want ndr-triage_${version}_<arch>.deb"

# --- control data ---
field() { dpkg-deb -f "$DEB" "$1"; }
[[ $(field Package) == ndr-triage ]] && ok "Package" || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] && ok "Version $version" || fail "Version: $(field Version), want $version"
depends=$(field Depends)
# Every shared library the binary links must be in Depends; these are the ones it cannot run without.
for lib in libc6 libstdc++6 libvmime1 libc-ares2 libsqlite3-0 libssl3 libre2 libidn2-0; do
    [[ $depends == *"$lib"* ]] && ok "Depends has $lib" || fail "Depends lacks $lib: $depends"
done
# The allocator (CMakeLists.txt NDR_MIMALLOC) is a runtime dependency when the binary links it.
if readelf -d "${NDR_TRIAGE:-$NDR_BUILD_DIR/agent/ndr-triage}" | grep -q 'NEEDED.*libmimalloc'; then
    [[ $depends == *libmimalloc* ]] && ok "Depends has libmimalloc" || fail "Depends lacks libmimalloc: $depends"
fi
# shlibdeps writes versioned dependencies; a hand-written list would rarely have them all.
[[ $depends =~ libc6\ \(\>=\ [0-9] ]] && ok "Depends are versioned (dpkg-shlibdeps)" || fail "Depends not from shlibdeps: $depends"
dpkg-deb -e "$DEB" "$WORK/control"
[[ $(cat "$WORK/control/conffiles") == /etc/ndr-triage/agent.toml ]] && ok "conffile /etc/ndr-triage/agent.toml" ||
    fail "conffiles: $(cat "$WORK/control/conffiles")"
for script in postinst prerm; do
    [[ -x $WORK/control/$script ]] && sh -n "$WORK/control/$script" && ok "$script present and parses" || fail "$script"
done
grep -q 'sysusers.d/ndr-triage.conf' "$WORK/control/postinst" && grep -q 'tmpfiles.d/ndr-triage.conf' "$WORK/control/postinst" &&
    ok "postinst applies sysusers and tmpfiles" || fail "postinst does not create the account and state directory"

# --- file list (path, mode) ---
dpkg-deb -c "$DEB" | awk '{print $1, $6}' > "$WORK/files"
want=(
    "-rwxr-xr-x ./usr/bin/ndr-triage"
    "-rw-r--r-- ./etc/ndr-triage/agent.toml"
    "-rw-r--r-- ./usr/share/man/man8/ndr-triage.8.gz"
    "-rw-r--r-- ./usr/lib/systemd/system/ndr-triage.service"
    "-rw-r--r-- ./usr/lib/sysusers.d/ndr-triage.conf"
    "-rw-r--r-- ./usr/lib/tmpfiles.d/ndr-triage.conf"
)
for entry in "${want[@]}"; do
    grep -qxF -- "$entry" "$WORK/files" && ok "ships $entry" || fail "missing $entry; got: $(grep -F "${entry#* }" "$WORK/files" || echo nothing)"
done
shipped=$(grep -c '^-rw-r--r-- ./usr/share/ndr-triage/rules.d/.*\.toml$' "$WORK/files" || true)
in_tree=$(find "$NDR_SOURCE_DIR/rules.d" -maxdepth 1 -name '*.toml' | wc -l)
[[ $shipped == "$in_tree" && $shipped -gt 0 ]] && ok "ships all $in_tree rule files in /usr/share/ndr-triage/rules.d" ||
    fail "ships $shipped rule files, the tree has $in_tree"
if grep -vE '^(d|-)' "$WORK/files" | grep -q .; then fail "unexpected entries: $(grep -vE '^(d|-)' "$WORK/files")"; fi
if grep -E ' ./(usr/local|home|root|tmp|work)/' "$WORK/files"; then fail "files outside the FHS paths"; fi

# --- extracted: run it ---
ROOT="$WORK/root"
dpkg -x "$DEB" "$ROOT"
BIN="$ROOT/usr/bin/ndr-triage"
file -b "$BIN" | grep -q 'ELF.*executable' && ok "binary is an ELF executable" || fail "binary: $(file -b "$BIN")"
file -b "$BIN" | grep -q 'not stripped' && fail "binary is not stripped" || ok "binary is stripped"
got=$("$BIN" --version)
[[ $got == "ndr-triage $version" ]] && ok "--version: $got" || fail "--version: got '$got', want 'ndr-triage $version'"
# The extracted binary finds its rules beside it (../share/ndr-triage/rules.d), not in the source tree.
set +e
check_out=$(env -u NDR_TRIAGE_SHIPPED_RULES "$BIN" --no-site config check "$ROOT/etc/ndr-triage/agent.toml" 2>&1)
rc=$?
set -e
[[ $rc == 0 ]] && ok "config check on the shipped example exits 0" || fail "config check exit $rc: $check_out"
grep -q "agent.toml: ok" <<<"$check_out" && ok "config check says ok" || fail "config check output: $check_out"
rules_out=$(env -u NDR_TRIAGE_SHIPPED_RULES "$BIN" --no-site rules list --json)
n_rules=$(jq length <<<"$rules_out")
[[ $n_rules == "$in_tree" ]] && ok "extracted binary loads the $n_rules shipped rule files" || fail "rules list: $n_rules, want $in_tree"
# A broken copy of the example is refused, with its line.
sed 's/^timeout_seconds = 60/timeout_seconds = 0/' "$ROOT/etc/ndr-triage/agent.toml" > "$WORK/broken.toml"
set +e
broken_out=$("$BIN" --no-site config check "$WORK/broken.toml" 2>&1)
rc=$?
set -e
line=$(grep -n '^timeout_seconds' "$WORK/broken.toml" | cut -d: -f1)
[[ $rc == 1 ]] && grep -q "broken.toml:$line: imap.timeout_seconds" <<<"$broken_out" && ok "config check reports a bad value at its line" ||
    fail "config check on a bad file: exit $rc: $broken_out"
zcat "$ROOT/usr/share/man/man8/ndr-triage.8.gz" | grep -q '^\.TH NDR-TRIAGE 8' && ok "man page" || fail "man page"
if command -v man > /dev/null; then
    MANWIDTH=100 man -l "$ROOT/usr/share/man/man8/ndr-triage.8.gz" 2> "$WORK/man.err" | grep -q 'config check' &&
        ! grep -v '^$' "$WORK/man.err" | grep -q . && ok "man page renders" || fail "man page: $(cat "$WORK/man.err")"
fi

# --- the unit ---
UNIT="$ROOT/usr/lib/systemd/system/ndr-triage.service"
for directive in Type=notify WatchdogSec= Restart=on-failure ProtectSystem=strict ReadWritePaths=/var/lib/ndr-triage \
    NoNewPrivileges=yes PrivateTmp=yes ProtectHome=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    CapabilityBoundingSet= SystemCallFilter=@system-service LoadCredential=imap.password:; do
    grep -q "^$directive" "$UNIT" && ok "unit has $directive" || fail "unit lacks $directive"
done
grep -qx 'CapabilityBoundingSet=' "$UNIT" && ok "CapabilityBoundingSet is empty" || fail "CapabilityBoundingSet is not empty"
# The example configuration reads the password from the credential the unit loads.
cred=$(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$UNIT")
grep -qx "password_credential = \"$cred\"" "$ROOT/etc/ndr-triage/agent.toml" &&
    ok "agent.toml reads the credential $cred" || fail "agent.toml does not read the credential '$cred'"
# verify checks the unit against this systemd; its ExecStart must exist, so point it at the extracted binary.
mkdir -p "$WORK/units"
sed "s|/usr/bin/ndr-triage|$BIN|g" "$UNIT" > "$WORK/units/ndr-triage.service"
set +e
verify_out=$(systemd-analyze verify --man=no "$WORK/units/ndr-triage.service" 2>&1)
rc=$?
set -e
[[ $rc == 0 && -z $verify_out ]] && ok "systemd-analyze verify: no complaint" || fail "systemd-analyze verify (exit $rc): $verify_out"
set +e
security_out=$(systemd-analyze security --offline=true --threshold=20 "$WORK/units/ndr-triage.service" 2>&1)
rc=$?
set -e
score=$(grep -o 'Overall exposure level for ndr-triage.service: [0-9.]*' <<<"$security_out" | awk '{print $NF}')
[[ $rc == 0 && -n $score ]] && ok "systemd-analyze security: exposure $score (at most 2.0)" ||
    fail "systemd-analyze security (exit $rc): exposure ${score:-?}"
grep -q '^u ndr-triage ' "$ROOT/usr/lib/sysusers.d/ndr-triage.conf" && ok "sysusers entry" || fail "sysusers entry"
grep -q '^d /var/lib/ndr-triage 0700 ndr-triage ndr-triage' "$ROOT/usr/lib/tmpfiles.d/ndr-triage.conf" &&
    ok "tmpfiles: /var/lib/ndr-triage 0700" || fail "tmpfiles entry"
# Applied to the temp root, as postinst does on a system: the account, then the state directory.
systemd-sysusers --root="$ROOT" "$ROOT/usr/lib/sysusers.d/ndr-triage.conf" > "$WORK/sysusers.log" 2>&1 ||
    fail "systemd-sysusers: $(cat "$WORK/sysusers.log")"
uid=$(awk -F: '$1 == "ndr-triage" {print $3 ":" $7}' "$ROOT/etc/passwd" 2>/dev/null)
[[ $uid == *:/usr/sbin/nologin && ${uid%%:*} -lt 1000 ]] && ok "systemd-sysusers creates the system account ndr-triage" ||
    fail "account: '$uid'"
systemd-tmpfiles --root="$ROOT" --create "$ROOT/usr/lib/tmpfiles.d/ndr-triage.conf" > "$WORK/tmpfiles.log" 2>&1 ||
    fail "systemd-tmpfiles: $(cat "$WORK/tmpfiles.log")"
got=$(stat -c '%a %u' "$ROOT/var/lib/ndr-triage" 2>/dev/null || echo missing)
[[ $got == "700 ${uid%%:*}" ]] && ok "systemd-tmpfiles creates /var/lib/ndr-triage 0700 owned by it" ||
    fail "state directory: $got, want 700 ${uid%%:*}"

if ((FAILURES > 0)); then
    echo "package_deb: $FAILURES check(s) failed"
    exit 1
fi
echo "package_deb: ok"

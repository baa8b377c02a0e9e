#!/usr/bin/env bash
# imap_tls.sh — TLS to a real Dovecot on loopback: implicit TLS and STARTTLS with the right CA (also
# from a PEM bundle whose first certificate is unrelated), wrong CA, wrong host name, an address
# checked as an address (not as its reverse DNS name), plaintext only with --tls none (and a
# warning), a refused login, no password in any output.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-tls.XXXXXX")
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    dovecot_cleanup
    if [[ -n ${OTHER_PID:-} ]]; then
        DOVECOT_PID=$OTHER_PID DOVECOT_DIR=$OTHER_DIR dovecot_cleanup
    fi
    if [[ -n ${NAMED_PID:-} ]]; then
        DOVECOT_PID=$NAMED_PID DOVECOT_DIR=$NAMED_DIR dovecot_cleanup
    fi
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

# A second Dovecot first, whose certificate names only other.test (ports 22144/22994).
dovecot_setup 22144 22994 other
dovecot_start
OTHER_DIR=$DOVECOT_DIR OTHER_PID=$DOVECOT_PID
OTHER_CA=$DOVECOT_DIR/certs/ca.crt

# A third, whose certificate names only localhost (ports 22145/22995).
dovecot_setup 22145 22995 named
dovecot_start
NAMED_DIR=$DOVECOT_DIR NAMED_PID=$DOVECOT_PID
NAMED_CA=$DOVECOT_DIR/certs/ca.crt

dovecot_setup 22143 22993
dovecot_start
dovecot_deliver "$NDR_SOURCE_DIR/fixtures/ndr/rfc3464/blocklisted.eml"
PW=$(ndr_password_file)
CA=$DOVECOT_DIR/certs/ca.crt

# scan NAME EXPECTED_RC [scan options...]: runs a one-shot scan with a fresh state, keeps the output.
scan() {
    local name=$1 want=$2 rc=0
    shift 2
    "$NDR_TRIAGE" --no-site scan --state "$WORK/$name.db" --user "$DOVECOT_USER" --password-file "$PW" --json "$@" \
        > "$WORK/$name.out" 2> "$WORK/$name.err" || rc=$?
    if [[ $rc != "$want" ]]; then
        cat "$WORK/$name.err" >&2
        fail "$name: exit code $rc, want $want"
    fi
    if grep -q "$DOVECOT_PASSWORD" "$WORK/$name.out" "$WORK/$name.err"; then fail "$name: the password appears in the output"; fi
}

scan implicit 0 --host 127.0.0.1 --port 22993 --tls implicit --ca-file "$CA"
[[ $(ndr_json_num "$WORK/implicit.out" new) == 1 ]] || fail "implicit: want 1 new message"

scan localhost 0 --host localhost --port 22993 --tls implicit --ca-file "$CA"
scan bundle 0 --host 127.0.0.1 --port 22993 --tls implicit --ca-file "$DOVECOT_DIR/certs/bundle.crt"

scan starttls 0 --host 127.0.0.1 --port 22143 --tls starttls --ca-file "$CA"
[[ $(ndr_json_num "$WORK/starttls.out" new) == 1 ]] || fail "starttls: want 1 new message"

scan wrong_ca 2 --host 127.0.0.1 --port 22993 --tls implicit --ca-file "$DOVECOT_DIR/certs/wrongca.crt"
grep -q "127.0.0.1:22993" "$WORK/wrong_ca.err" && grep -q "not signed by a CA" "$WORK/wrong_ca.err" ||
    fail "wrong CA: the error does not name the host and the reason: $(cat "$WORK/wrong_ca.err")"

scan wrong_ca_starttls 2 --host 127.0.0.1 --port 22143 --tls starttls --ca-file "$DOVECOT_DIR/certs/wrongca.crt"
grep -q "not signed by a CA" "$WORK/wrong_ca_starttls.err" || fail "STARTTLS wrong CA: $(cat "$WORK/wrong_ca_starttls.err")"

scan system_store 2 --host 127.0.0.1 --port 22993 --tls implicit
grep -Eq "rejected|CA file" "$WORK/system_store.err" || fail "system store: a test CA must not be trusted: $(cat "$WORK/system_store.err")"

scan wrong_name 2 --host 127.0.0.1 --port 22994 --tls implicit --ca-file "$OTHER_CA"
grep -q "not valid for the host name \"127.0.0.1\"" "$WORK/wrong_name.err" ||
    fail "wrong host name: $(cat "$WORK/wrong_name.err")"

# An address is checked against the certificate's IP entries: a certificate for "localhost" only is not
# valid for 127.0.0.1 even though 127.0.0.1's reverse name is localhost (vmime would have checked that
# name, after a PTR lookup nobody asked for); for the name it is.
grep -q "^127.0.0.1[[:space:]]\+localhost" /etc/hosts || echo "note: /etc/hosts does not map 127.0.0.1 to localhost"
scan address_vs_name 2 --host 127.0.0.1 --port 22995 --tls implicit --ca-file "$NAMED_CA"
grep -q "not valid for the host name \"127.0.0.1\"" "$WORK/address_vs_name.err" ||
    fail "address vs name: $(cat "$WORK/address_vs_name.err")"
scan name_ok 0 --host localhost --port 22995 --tls implicit --ca-file "$NAMED_CA"

# Implicit TLS against the plaintext port must fail, never fall back.
scan tls_on_plain_port 2 --host 127.0.0.1 --port 22143 --tls implicit --ca-file "$CA"

scan plaintext 0 --host 127.0.0.1 --port 22143 --tls none
grep -q "warning: plaintext IMAP" "$WORK/plaintext.err" || fail "plaintext: no warning: $(cat "$WORK/plaintext.err")"

printf 'wrong-password\n' > "$WORK/bad.pw" && chmod 600 "$WORK/bad.pw"
rc=0
"$NDR_TRIAGE" --no-site scan --state "$WORK/bad.db" --host 127.0.0.1 --port 22993 --tls implicit --ca-file "$CA" \
    --user "$DOVECOT_USER" --password-file "$WORK/bad.pw" > "$WORK/bad.out" 2> "$WORK/bad.err" || rc=$?
[[ $rc == 2 ]] || fail "bad password: exit code $rc, want 2"
grep -q "login as $DOVECOT_USER at 127.0.0.1:22993 refused" "$WORK/bad.err" || fail "bad password: $(cat "$WORK/bad.err")"
grep -q "wrong-password" "$WORK/bad.out" "$WORK/bad.err" && fail "bad password: the password appears in the output"

chmod 644 "$WORK/bad.pw"
rc=0
"$NDR_TRIAGE" --no-site scan --state "$WORK/mode.db" --host 127.0.0.1 --port 22993 --tls implicit --ca-file "$CA" \
    --user "$DOVECOT_USER" --password-file "$WORK/bad.pw" > /dev/null 2> "$WORK/mode.err" || rc=$?
[[ $rc != 0 ]] || fail "a world-readable password file was accepted"

echo "imap_tls: ok"

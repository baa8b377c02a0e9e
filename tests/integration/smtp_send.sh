#!/usr/bin/env bash
# smtp_send.sh — agent/smtp send_message() against a real SMTP server on loopback (python3-aiosmtpd,
# lib/smtpd.py) through the test driver ndr-test-provenance: STARTTLS with a test CA made here and
# AUTH, implicit TLS, the message arriving byte for byte (dot-stuffed lines, UTF-8, LF input made
# CRLF), the wrong CA refused, no plaintext fallback when the server offers no STARTTLS, plaintext
# only with tls = "none", a refused login and a refused recipient, no password in any output.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/certs.sh"
source "$NDR_SOURCE_DIR/tests/integration/lib/smtpd.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
DRIVER=${NDR_BUILD_DIR:?}/tests/ndr-test-provenance
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-smtp.XXXXXX")
SMTPD_DIR=$WORK/smtpd
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    [[ -n ${NDR_KEEP_TMP:-} ]] && echo "kept $WORK" >&2
    smtpd_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

ndr_certs_generate "$WORK/certs"
C=$WORK/certs
PASSWORD=smtp-Secret-4711
printf '%s\n' "$PASSWORD" > "$WORK/smtp.password" && chmod 600 "$WORK/smtp.password"
printf 'not-the-password\n' > "$WORK/bad.password" && chmod 600 "$WORK/bad.password"

smtpd_start starttls 25525 --mode starttls --cert "$C/server.crt" --key "$C/server.key" \
    --user postmaster@example.com --password-file "$WORK/smtp.password"
smtpd_start implicit 25465 --mode implicit --cert "$C/server.crt" --key "$C/server.key"
smtpd_start plain 25526 --mode plain

# The draft: LF line ends, a line starting with "." (dot-stuffing), UTF-8, a long line.
printf '%s\n' "From: Mail Admin <postmaster@example.com>" "To: postmaster@example.net" \
    "Subject: Delisting request for 198.51.100.23" "Message-ID: <draft-1@example.com>" \
    "MIME-Version: 1.0" "Content-Type: text/plain; charset=utf-8" "Content-Transfer-Encoding: 8bit" "" \
    "Hello," ".a line that starts with a dot" "." "Grüße aus dem Test" "$(printf 'x%.0s' {1..900})" \
    "-- " "Mail Admin" > "$WORK/draft.eml"
# What must arrive: the same lines with CRLF.
sed 's/$/\r/' "$WORK/draft.eml" > "$WORK/want.eml"

# config NAME key=value...: writes $WORK/NAME.toml with an [smtp] section.
config() {
    local name=$1
    shift
    { echo "[smtp]"; printf '%s\n' "$@"; } > "$WORK/$name.toml"
}

# send NAME WANT_RC [driver options]: runs send-eml with $WORK/NAME.toml, checks the exit code and
# that the password never appears in the output.
send() {
    local name=$1 want=$2 rc=0
    shift 2
    "$DRIVER" send-eml --config "$WORK/$name.toml" --from postmaster@example.com "$@" "$WORK/draft.eml" \
        > "$WORK/$name.out" 2> "$WORK/$name.err" || rc=$?
    if [[ $rc != "$want" ]]; then
        cat "$WORK/$name.out" "$WORK/$name.err" >&2
        fail "$name: exit code $rc, want $want"
    fi
    if grep -q "$PASSWORD" "$WORK/$name.out" "$WORK/$name.err"; then fail "$name: the password appears in the output"; fi
}

count() { find "$SMTPD_DIR/$1" -name 'msg-*.eml' | wc -l; }
json() { /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"; }

# 1. STARTTLS, verified against the test CA, with AUTH: arrives byte for byte.
config starttls 'host = "127.0.0.1"' 'port = 25525' 'tls = "starttls"' "ca_file = \"$C/ca.crt\"" \
    'user = "postmaster@example.com"' "password_file = \"$WORK/smtp.password\"" 'timeout_seconds = 10'
send starttls 0 --to postmaster@example.net --to abuse@example.net
[[ $(count starttls) == 1 ]] || fail "starttls: want 1 message, got $(count starttls)"
cmp "$WORK/want.eml" "$SMTPD_DIR/starttls/msg-1.eml" || fail "starttls: the message did not arrive byte for byte"
[[ $(json "$SMTPD_DIR/starttls/msg-1.json" tls) == true ]] || fail "starttls: not over TLS"
[[ $(json "$SMTPD_DIR/starttls/msg-1.json" user) == '"postmaster@example.com"' ]] || fail "starttls: not authenticated"
[[ $(json "$SMTPD_DIR/starttls/msg-1.json" mail_from) == '"postmaster@example.com"' ]] || fail "starttls: envelope sender"
[[ $(json "$SMTPD_DIR/starttls/msg-1.json" rcpt_tos) == '["postmaster@example.net", "abuse@example.net"]' ]] ||
    fail "starttls: recipients $(json "$SMTPD_DIR/starttls/msg-1.json" rcpt_tos)"

# 2. The same server with a CA that did not sign its certificate: refused before any mail.
config wrong_ca 'host = "127.0.0.1"' 'port = 25525' "ca_file = \"$C/wrongca.crt\"" \
    'user = "postmaster@example.com"' "password_file = \"$WORK/smtp.password\"" 'timeout_seconds = 10'
send wrong_ca 1 --to postmaster@example.net
grep -q "not signed by a CA" "$WORK/wrong_ca.err" || fail "wrong CA: $(cat "$WORK/wrong_ca.err")"
[[ $(count starttls) == 1 ]] || fail "wrong CA: a message arrived"

# 3. The system store does not know the test CA either.
config system_store 'host = "127.0.0.1"' 'port = 25525' 'timeout_seconds = 10'
send system_store 1 --to postmaster@example.net
grep -q "rejected" "$WORK/system_store.err" || fail "system store: $(cat "$WORK/system_store.err")"

# 4. A wrong password: refused, and the error names the user, not the password.
config bad_login 'host = "127.0.0.1"' 'port = 25525' "ca_file = \"$C/ca.crt\"" \
    'user = "postmaster@example.com"' "password_file = \"$WORK/bad.password\"" 'timeout_seconds = 10'
send bad_login 1 --to postmaster@example.net
grep -q "postmaster@example.com" "$WORK/bad_login.err" || fail "bad login: $(cat "$WORK/bad_login.err")"
grep -q "not-the-password" "$WORK/bad_login.err" && fail "bad login: the password appears in the error"
[[ $(count starttls) == 1 ]] || fail "bad login: a message arrived"

# 5. Implicit TLS (tls = "tls").
config implicit 'host = "127.0.0.1"' 'port = 25465' 'tls = "tls"' "ca_file = \"$C/ca.crt\"" 'timeout_seconds = 10'
send implicit 0 --to postmaster@example.net
cmp "$WORK/want.eml" "$SMTPD_DIR/implicit/msg-1.eml" || fail "implicit: not byte for byte"
[[ $(json "$SMTPD_DIR/implicit/msg-1.json" tls) == true ]] || fail "implicit: not over TLS"

# 6. A server without STARTTLS: tls = "starttls" (the default) never falls back to plaintext.
config no_starttls 'host = "127.0.0.1"' 'port = 25526' "ca_file = \"$C/ca.crt\"" 'timeout_seconds = 10'
send no_starttls 1 --to postmaster@example.net
grep -q "refused STARTTLS" "$WORK/no_starttls.err" || fail "no STARTTLS: $(cat "$WORK/no_starttls.err")"
[[ $(count plain) == 0 ]] || fail "no STARTTLS: the message was sent in plaintext"

# 7. Implicit TLS against the plaintext server fails too.
config tls_on_plain 'host = "127.0.0.1"' 'port = 25526' 'tls = "tls"' "ca_file = \"$C/ca.crt\"" 'timeout_seconds = 5'
send tls_on_plain 1 --to postmaster@example.net
[[ $(count plain) == 0 ]] || fail "TLS on plain port: a message arrived"

# 8. Plaintext only when tls = "none" is written.
config plain 'host = "127.0.0.1"' 'port = 25526' 'tls = "none"' 'timeout_seconds = 10'
send plain 0 --to postmaster@example.net
cmp "$WORK/want.eml" "$SMTPD_DIR/plain/msg-1.eml" || fail "plain: not byte for byte"
[[ $(json "$SMTPD_DIR/plain/msg-1.json" tls) == false ]] || fail "plain: unexpectedly TLS"

# 9. Nothing listening: a clear error naming the server.
config closed 'host = "127.0.0.1"' 'port = 22599' 'tls = "none"' 'timeout_seconds = 5'
send closed 1 --to postmaster@example.net
grep -q "127.0.0.1:22599" "$WORK/closed.err" || fail "closed port: $(cat "$WORK/closed.err")"

# 10. Header injection through an envelope address is refused before connecting.
send plain 1 --to $'postmaster@example.net\r\nRCPT TO:<x@example.org>'
[[ $(count plain) == 1 ]] || fail "bad recipient: a message arrived"
echo "smtp_send: ok"

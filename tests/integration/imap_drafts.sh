#!/usr/bin/env bash
# imap_drafts.sh — agent/sources/imap_drafts store_draft() against a real Dovecot on loopback, through
# the test driver ndr-test-provenance: the draft lands in the special-use \Drafts folder with \Draft
# and \Seen, byte for byte (CRLF); a replacement leaves exactly one copy; nothing else in the folder is
# touched (a user's own draft, a message the user flagged \Deleted but did not expunge, a draft whose
# Message-ID merely contains ours); a configured drafts_folder is created; without a \Drafts mark the
# folder named Drafts is used; no password in any output.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
DRIVER=${NDR_BUILD_DIR:?}/tests/ndr-test-provenance
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-imap-drafts.XXXXXX")
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

dovecot_setup 22643 22693
dovecot_start
PW=$(ndr_password_file)

# message FILE MESSAGE-ID SUBJECT: a small draft with LF line ends.
message() {
    printf '%s\n' "From: Mail Admin <postmaster@example.com>" "To: postmaster@example.net" "Subject: $3" \
        "Message-ID: $2" "MIME-Version: 1.0" "Content-Type: text/plain; charset=utf-8" "" \
        "Please remove 198.51.100.23 ($3)." "Grüße" > "$1"
}

# Seed Drafts with what the user already has there.
message "$WORK/user.eml" "<user-1@example.com>" "the user's own draft"
message "$WORK/deleted.eml" "<user-2@example.com>" "deleted by the user, not expunged"
message "$WORK/similar.eml" "<x-draft-7@example.com>" "a Message-ID containing ours"
dovecot_append Drafts "$WORK/user.eml"
dovecot_append Drafts "$WORK/deleted.eml"
dovecot_append Drafts "$WORK/similar.eml"
imap_session "SELECT Drafts" "UID STORE 2 +FLAGS.SILENT (\\Deleted)" > /dev/null
dovecot_deliver "$NDR_SOURCE_DIR/fixtures/ndr/rfc3464/blocklisted.eml"

# dump MAILBOX: one JSON line per message {uid, flags, body} (read-only EXAMINE, Python's imaplib).
dump() {
    /usr/bin/python3 - "$DOVECOT_PORT" "$DOVECOT_USER" "$DOVECOT_PASSWORD" "$1" <<'PY'
import imaplib, json, re, sys
port, user, password, box = sys.argv[1:]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, password)
typ, _ = m.select('"%s"' % box, readonly=True)
if typ != "OK":
    sys.exit(0)
typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
for item in data:
    if not isinstance(item, tuple):
        continue
    head = item[0].decode()
    uid = int(re.search(r"UID (\d+)", head).group(1))
    flags = sorted(f for f in re.search(r"FLAGS \(([^)]*)\)", head).group(1).split() if f != "\\Recent")
    print(json.dumps({"uid": uid, "flags": flags, "body": item[1].decode("utf-8")}))
m.logout()
PY
}
# with_id MAILBOX MESSAGE-ID: the dump lines whose body carries exactly that Message-ID header.
with_id() { dump "$1" | grep -F "Message-ID: $2\\r\\n" || true; }

conf() {
    printf '%s\n' "[imap]" 'host = "127.0.0.1"' "port = $DOVECOT_TLS_PORT" 'tls = "implicit"' \
        "ca_file = \"$DOVECOT_DIR/certs/ca.crt\"" "user = \"$DOVECOT_USER\"" "password_file = \"$1\"" \
        'timeout_seconds = 10' "$2" > "$WORK/$3.toml"
}
conf "$PW" "" special
conf "$PW" 'drafts_folder = "Review/Delisting"' named

# store NAME WANT_RC CONFIG FILE [--replace ID]
store() {
    local name=$1 want=$2 config=$3 file=$4 rc=0
    shift 4
    "$DRIVER" store-draft --config "$WORK/$config.toml" "$@" "$file" > "$WORK/$name.out" 2> "$WORK/$name.err" || rc=$?
    if [[ $rc != "$want" ]]; then
        cat "$WORK/$name.out" "$WORK/$name.err" >&2
        fail "$name: exit code $rc, want $want"
    fi
    if grep -q "$DOVECOT_PASSWORD" "$WORK/$name.out" "$WORK/$name.err"; then fail "$name: the password appears in the output"; fi
}

dump Drafts > "$WORK/before.json"
[[ $(wc -l < "$WORK/before.json") == 3 ]] || fail "seed: want 3 messages in Drafts"
grep '"uid": 2' "$WORK/before.json" | grep -q 'Deleted' || fail "seed: message 2 is not \\Deleted"
inbox_before=$(imap_count INBOX)

# 1. A new draft: appended to the \Drafts folder with \Draft and \Seen, byte for byte.
message "$WORK/v1.eml" "<draft-7@example.com>" "version 1"
store v1 0 special "$WORK/v1.eml"
[[ $(dump Drafts | wc -l) == 4 ]] || fail "v1: want 4 messages in Drafts"
line=$(with_id Drafts "<draft-7@example.com>")
[[ $(grep -c . <<< "$line") == 1 ]] || fail "v1: want one copy, got: $line"
grep -q '"flags": \["\\\\Draft", "\\\\Seen"\]' <<< "$line" || fail "v1: flags: $line"
want=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1], encoding="utf-8").read().replace("\n", "\r\n")))' "$WORK/v1.eml")
got=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["body"]))' "$line")
[[ $got == "$want" ]] || fail "v1: the stored draft differs from the message: $got"

# untouched: the seeded messages keep their UID, flags and bytes.
untouched() {
    local uid
    for uid in 1 2 3; do
        [[ "$(grep "\"uid\": $uid," "$WORK/before.json")" == "$(dump Drafts | grep "\"uid\": $uid,")" ]] ||
            fail "$1: seeded message $uid in Drafts was changed or removed"
    done
    [[ $(imap_count INBOX) == "$inbox_before" ]] || fail "$1: INBOX changed"
}
untouched v1

# 2. An edit with the same Message-ID replaces the copy: still exactly one, now version 2.
message "$WORK/v2.eml" "<draft-7@example.com>" "version 2"
store v2 0 special "$WORK/v2.eml" --replace "<draft-7@example.com>"
[[ $(dump Drafts | wc -l) == 4 ]] || fail "v2: want 4 messages in Drafts, got $(dump Drafts | wc -l)"
line=$(with_id Drafts "<draft-7@example.com>")
[[ $(grep -c . <<< "$line") == 1 ]] || fail "v2: want one copy, got: $line"
grep -q "version 2" <<< "$line" || fail "v2: the remaining copy is not version 2"
grep -q '"flags": \["\\\\Draft", "\\\\Seen"\]' <<< "$line" || fail "v2: flags: $line"
untouched v2

# 3. A new Message-ID replacing the old one (given without angle brackets).
message "$WORK/v3.eml" "<draft-7.3@example.com>" "version 3"
store v3 0 special "$WORK/v3.eml" --replace "draft-7@example.com"
[[ -z $(with_id Drafts "<draft-7@example.com>") ]] || fail "v3: the old copy is still there"
[[ $(with_id Drafts "<draft-7.3@example.com>" | grep -c .) == 1 ]] || fail "v3: want one new copy"
[[ $(dump Drafts | wc -l) == 4 ]] || fail "v3: want 4 messages in Drafts"
untouched v3

# 4. Replacing a Message-ID that is not there only appends.
message "$WORK/v4.eml" "<draft-8@example.com>" "another incident"
store v4 0 special "$WORK/v4.eml" --replace "<draft-404@example.com>"
[[ $(dump Drafts | wc -l) == 5 ]] || fail "v4: want 5 messages in Drafts"
untouched v4

# 5. A configured drafts_folder that does not exist yet is created.
store named 0 named "$WORK/v1.eml"
line=$(with_id "Review/Delisting" "<draft-7@example.com>")
[[ $(grep -c . <<< "$line") == 1 ]] || fail "named: want one copy in Review/Delisting"
grep -q '"flags": \["\\\\Draft", "\\\\Seen"\]' <<< "$line" || fail "named: flags: $line"
[[ $(dump Drafts | wc -l) == 5 ]] || fail "named: Drafts changed"

# 6. A wrong password: refused, nothing stored, no password shown.
printf 'wrong-password\n' > "$WORK/bad.pw" && chmod 600 "$WORK/bad.pw"
conf "$WORK/bad.pw" "" bad
store bad 1 bad "$WORK/v1.eml"
grep -q "refused" "$WORK/bad.err" || fail "bad password: $(cat "$WORK/bad.err")"
grep -q "wrong-password" "$WORK/bad.err" && fail "bad password: the password appears"
[[ $(dump Drafts | wc -l) == 5 ]] || fail "bad password: Drafts changed"

# 7. A Message-ID that could inject a command is refused before connecting.
store inject 1 special "$WORK/v1.eml" --replace $'<a@example.com>\r\nA1 EXPUNGE'
[[ $(dump Drafts | wc -l) == 5 ]] || fail "inject: Drafts changed"
untouched inject

# 8. No folder marked \Drafts and no drafts_folder: the folder named "Drafts" is used.
dovecot_stop
sed -i '/special_use/d' "$DOVECOT_DIR/dovecot.conf"
grep -q 'special_use' "$DOVECOT_DIR/dovecot.conf" && fail "fallback: \\Drafts mark still configured"
dovecot_start
message "$WORK/v5.eml" "<draft-9@example.com>" "no special-use folder"
store fallback 0 special "$WORK/v5.eml"
line=$(with_id Drafts "<draft-9@example.com>")
[[ $(grep -c . <<< "$line") == 1 ]] || fail "fallback: want one copy in Drafts, got: $line"
grep -q '"flags": \["\\\\Draft", "\\\\Seen"\]' <<< "$line" || fail "fallback: flags: $line"
[[ $(dump Drafts | wc -l) == 6 ]] || fail "fallback: want 6 messages in Drafts"
untouched fallback
echo "imap_drafts: ok"

#!/usr/bin/env bash
# incidents_imap_drafts.sh — drafts reach the mailbox's Drafts folder: an IMAP scan of the story bounces
# (real Dovecot on loopback) writes the reputation note, which appears in the special-use \Drafts folder
# with \Draft and \Seen; `drafts edit` replaces that copy (one message, the new subject) rather than
# adding a second; a rescan with nothing new changes nothing there; `drafts reject` removes that copy and
# nothing else (an administrator's own draft flagged \Deleted stays), and a later scan does not bring it back.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-inc-drafts.XXXXXX")
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    dovecot_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/incidents-story"

dovecot_setup 22743 22793
dovecot_start
for f in "$data"/0*.eml; do dovecot_deliver "$f"; done
ndr_imap_toml > "$WORK/agent.toml"
cat >> "$WORK/agent.toml" <<TOML
[identity]
outbound_ips = ["192.0.2.16/28"]
admin_name = "Alice Admin"
admin_email = "postmaster@example.com"
[state]
path = "$WORK/state.db"
TOML
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" --config "$WORK/agent.toml" "$@"; }

# drafts_dump: one line per message in Drafts: "FLAGS|Subject".
drafts_dump() {
    /usr/bin/python3 - "$DOVECOT_PORT" "$DOVECOT_USER" "$DOVECOT_PASSWORD" <<'PY'
import imaplib, re, sys
port, user, password = sys.argv[1:]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, password)
typ, _ = m.select("Drafts", readonly=True)
if typ == "OK":
    typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    for item in data:
        if isinstance(item, tuple):
            flags = " ".join(sorted(f for f in re.search(r"FLAGS \(([^)]*)\)", item[0].decode()).group(1).split() if f != "\\Recent"))
            print(flags + "|" + item[1].decode().strip())
m.logout()
PY
}

triage scan --json > "$WORK/scan.json" 2> "$WORK/scan.err" || { cat "$WORK/scan.err" >&2; fail "scan"; }
got=$(drafts_dump)
[[ $(wc -l <<<"$got") == 1 ]] || fail "after scan: want 1 draft in Drafts, got: $got"
[[ $got == '\Draft \Seen|Subject: Request for temporary allow-listing of our mail server' ]] ||
    fail "after scan: unexpected Drafts content: $got"
echo "ok: note in Drafts with \\Draft \\Seen"

id=$(python3 -c "import json,subprocess,sys; print(json.loads(sys.stdin.read())[0]['id'])" < <(triage drafts list --json))
cat > "$WORK/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/^Subject: .*/Subject: Edited allow-listing request/' "$1"
SH
chmod +x "$WORK/editor.sh"
EDITOR="$WORK/editor.sh" triage drafts edit "$id" > /dev/null
got=$(drafts_dump)
[[ $got == '\Draft \Seen|Subject: Edited allow-listing request' ]] || fail "after edit: want the one edited copy, got: $got"
echo "ok: edit replaced the copy in Drafts"

triage scan --json > /dev/null 2>&1
[[ $(drafts_dump) == "$got" ]] || fail "rescan changed Drafts: $(drafts_dump)"

# The administrator's own draft, flagged \Deleted by their client: UID EXPUNGE of ours must leave it.
/usr/bin/python3 - "$DOVECOT_PORT" "$DOVECOT_USER" "$DOVECOT_PASSWORD" <<'PY'
import imaplib, sys
port, user, password = sys.argv[1:]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, password)
msg = b"From: postmaster@example.com\r\nTo: someone@example.net\r\nSubject: My own draft\r\nMessage-ID: <own@example.com>\r\n\r\nhello\r\n"
typ, _ = m.append("Drafts", "(\\Draft \\Deleted)", None, msg)
assert typ == "OK", typ
m.logout()
PY
triage drafts reject "$id" > "$WORK/reject.out" 2> "$WORK/reject.err" || { cat "$WORK/reject.err" >&2; fail "reject"; }
got=$(drafts_dump)
[[ $got == '\Deleted \Draft|Subject: My own draft' ]] || fail "after reject: want only the admin's own draft, got: $got"
echo "ok: reject removed our copy from Drafts, and only ours"
triage scan --json > /dev/null 2>&1
[[ $(drafts_dump) == "$got" ]] || fail "scan after reject changed Drafts: $(drafts_dump)"
echo "ok: a later scan does not bring a rejected draft back"
if grep -rq "$DOVECOT_PASSWORD" "$WORK"/*.json "$WORK/scan.err"; then fail "password in output"; fi
echo "all checks passed"

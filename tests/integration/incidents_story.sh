#!/usr/bin/env bash
# incidents_story.sh — the compromised-laptop story end to end: bounces from several receivers naming
# Spamhaus XBL, SpamCop and a SenderBase-style reputation text, plus one backscatter bounce, with our
# IP listed in rbldnsd test zones (127.0.0.1:15361). Expected: three incidents; XBL and SpamCop in
# fix-first with the checklist and no draft; a postmaster note for the reputation one; nothing for the
# backscatter. Then `incidents fixed` drafts the XBL form text (SpamCop: waiting for expiry, no draft),
# a rescan updates rather than duplicates, the review commands work, and once SpamCop's zone no longer
# lists the IP a re-check moves that incident to resolved with an event.
set -euo pipefail
: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}" "${NDR_BUILD_DIR:?}"
source "$NDR_SOURCE_DIR/tests/integration/lib/rbldnsd.sh"
source "$NDR_SOURCE_DIR/tests/integration/lib/smtpd.sh"
work=$(mktemp -d "$NDR_BUILD_DIR/incidents-story.XXXXXX")
SMTPD_DIR=$work/smtpd
cleanup() { set +e; rbl_cleanup; smtpd_cleanup; rm -rf "$work"; }
trap cleanup EXIT
data="$NDR_SOURCE_DIR/tests/integration/data/incidents-story"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; echo "ok: $1 = $2"; }
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

RBL_DIR="$(mktemp -d /tmp/ndr-rbl.XXXXXX)"
cp "$data"/zones/* "$RBL_DIR"/
chmod 755 "$RBL_DIR"; chmod 644 "$RBL_DIR"/*
rbl_start 15361 xbl.spamhaus.org:ip4set:xbl.ip4set bl.spamcop.net:ip4set:spamcop.ip4set

cat > "$work/agent.toml" <<TOML
[identity]
outbound_ips = ["192.0.2.16/28"]
domains = ["example.com"]
helo_names = ["mail.example.com"]
admin_name = "Alice Admin"
admin_email = "postmaster@example.com"
[dns]
resolvers = ["127.0.0.1:15361"]
timeout_ms = 500
[state]
path = "$work/state.db"
[smtp]
host = "127.0.0.1"
port = 25527
tls = "none"
TOML
smtpd_start plain 25527 --mode plain
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" --config "$work/agent.toml" "$@"; }

triage scan "$data"/0*.eml --json > "$work/scan.json"
expect "new messages" "$(py "$work/scan.json" "d['new']")" 5
expect "three incidents" "$(py "$work/scan.json" "d['totals']['incidents']")" 3
expect "backscatter counted" "$(py "$work/scan.json" "d['totals']['backscatter']")" 1
expect "no incident for the backscatter IP" \
    "$(py "$work/scan.json" "[i['list'] for i in d['incidents'] if i['listed']=='203.0.113.66']")" "[]"

triage incidents list --json > "$work/list.json"
status_of() { py "$work/list.json" "[i['status'] for i in d if i['list']=='$1'][0]"; }
id_of() { py "$work/list.json" "[i['id'] for i in d if i['list']=='$1'][0]"; }
expect "XBL fix-first" "$(status_of spamhaus-xbl)" fix-first
expect "SpamCop fix-first" "$(status_of spamcop)" fix-first
expect "reputation open" "$(status_of cisco-talos)" open
expect "XBL DNSBL state" "$(py "$work/list.json" "[i['dnsbl_state'] for i in d if i['list']=='spamhaus-xbl'][0]")" listed
expect "SpamCop DNSBL state" "$(py "$work/list.json" "[i['dnsbl_state'] for i in d if i['list']=='spamcop'][0]")" listed
expect "XBL bounces and domains" \
    "$(py "$work/list.json" "[(i['bounces'], sorted(i['recipient_domains'])) for i in d if i['list']=='spamhaus-xbl'][0]")" \
    "(2, ['example.net', 'example.org'])"
xbl=$(id_of spamhaus-xbl); cop=$(id_of spamcop); rep=$(id_of cisco-talos)

triage incidents show "$xbl" --json > "$work/xbl.json"
expect "XBL checklist" "$(py "$work/xbl.json" "len(d['plan']['checklist'])")" 5
expect "XBL no draft before the fix" "$(py "$work/xbl.json" "len(d['drafts'])")" 0
expect "XBL rejection lines verbatim" \
    "$(py "$work/xbl.json" "sorted(r['text'] for r in d['rejections'])[1]")" \
    "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using xbl.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.25"
triage incidents show "$cop" --json > "$work/cop.json"
expect "SpamCop checklist" "$(py "$work/cop.json" "len(d['plan']['checklist'])")" 5

triage drafts list --json > "$work/drafts.json"
expect "one draft: the postmaster note" "$(py "$work/drafts.json" "[(x['incident'], x['kind'], x['to']) for x in d]")" \
    "[($rep, 'postmaster-note', 'postmaster@example.org')]"
note=$(py "$work/drafts.json" "d[0]['id']")
triage drafts show "$note" > "$work/note.eml"
grep -q "^Sending IP address(es): 192.0.2.25" "$work/note.eml" || fail "note: no sending IP"
grep -q "^HELO name(s):.*mail.example.com" "$work/note.eml" || fail "note: no HELO"
grep -q "^Reverse DNS (as the next hop saw it): laptop.example.com" "$work/note.eml" || fail "note: no rDNS"
grep -q "2026-11-30T11:02:33Z example.org (gw.example.org): 554 Your access to this mail system" "$work/note.eml" ||
    fail "note: no UTC rejection line"
grep -q "^Alice Admin <postmaster@example.com>" "$work/note.eml" || fail "note: no contact"
grep -q "203.0.113.66" "$work/note.eml" && fail "note mentions the backscatter IP"

# Remediation: XBL gets its form text, SpamCop waits for expiry (no draft).
triage incidents fixed "$xbl" --note "laptop reimaged 2026-11-30; outbound 25 only from the mail server" > "$work/fixed.out"
triage incidents fixed "$cop" --note "same laptop" > /dev/null
triage incidents list --json > "$work/list.json"
expect "XBL open after the fix" "$(status_of spamhaus-xbl)" open
expect "SpamCop waiting" "$(status_of spamcop)" waiting
triage drafts list --json > "$work/drafts.json"
expect "drafts after the fix" "$(py "$work/drafts.json" "sorted((x['incident'], x['kind']) for x in d)")" \
    "$(python3 -c "print(sorted([($xbl, 'form'), ($rep, 'postmaster-note')]))")"
form=$(py "$work/drafts.json" "[x['id'] for x in d if x['kind']=='form'][0]")
expect "form URL" "$(py "$work/drafts.json" "[x['url'] for x in d if x['kind']=='form'][0]")" "https://check.spamhaus.org/"
triage drafts show "$form" > "$work/form.eml"
grep -q "laptop reimaged 2026-11-30" "$work/form.eml" || fail "form text: no remediation"

# A rescan of the same bounces adds nothing and duplicates no draft.
triage scan "$data"/0*.eml --json > /dev/null
triage drafts list --all --json > "$work/drafts2.json"
expect "no duplicate drafts" "$(py "$work/drafts2.json" "len(d)")" 2

# Review: approve, reject, export; send refuses a draft that is not approved.
triage drafts approve "$note" > /dev/null
set +e; triage drafts send "$form" > /dev/null 2>&1; rc=$?; set -e
expect "send refuses an unapproved draft" "$rc" 1
mkdir "$work/out"
triage drafts export "$work/out" > /dev/null
expect "exported files" "$(ls "$work/out" | sort | tr '\n' ' ')" "draft-$note.eml draft-$form.eml "
grep -q "^Message-ID: <ndr-triage.draft$note.r1." "$work/out/draft-$note.eml" || fail "export: no Message-ID"
# edit: a scripted $EDITOR changes the subject (with an attempted header injection in the body).
cat > "$work/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/^Subject: .*/Subject: Allow-listing request, please/' "$1"
printf 'Bcc: evil@example.net\n' >> "$1"
SH
chmod +x "$work/editor.sh"
EDITOR="$work/editor.sh" triage drafts edit "$note" > /dev/null
triage drafts show "$note" > "$work/edited.eml"
grep -q "^Subject: Allow-listing request, please" "$work/edited.eml" || fail "edit: subject not changed"
expect "edit: no header injected" "$(sed '/^\r\?$/q' "$work/edited.eml" | grep -c '^Bcc:' || true)" 0
grep -q "^Message-ID: <ndr-triage.draft$note.r2." "$work/edited.eml" || fail "edit: new revision Message-ID"
triage drafts list --json > "$work/drafts.json"
expect "edit sends it back to review" "$(py "$work/drafts.json" "[x['status'] for x in d if x['id']==$note][0]")" draft

# send: only after approval; the message arrives and the incident becomes requested.
triage drafts approve "$note" > /dev/null
triage drafts send "$note" > "$work/send.out"
grep -q "^Subject: Allow-listing request, please" "$SMTPD_DIR/plain/msg-1.eml" || fail "send: message did not arrive"
triage incidents list --json > "$work/list.json"
expect "sent note -> requested" "$(status_of cisco-talos)" requested
triage drafts list --all --json > "$work/drafts.json"
expect "draft sent" "$(py "$work/drafts.json" "[x['status'] for x in d if x['id']==$note][0]")" sent

# SpamCop's listing lapses: the next pass re-checks and resolves it, with an event.
rbl_cleanup
RBL_DIR="$(mktemp -d /tmp/ndr-rbl.XXXXXX)"
cp "$data"/zones/* "$RBL_DIR"/
sed -i '/^192.0.2.25$/d' "$RBL_DIR/spamcop.ip4set"
chmod 755 "$RBL_DIR"; chmod 644 "$RBL_DIR"/*
rbl_start 15361 xbl.spamhaus.org:ip4set:xbl.ip4set bl.spamcop.net:ip4set:spamcop.ip4set
triage scan "$data"/0*.eml --json > /dev/null
triage incidents list --all --json > "$work/list.json"
expect "SpamCop resolved" "$(status_of spamcop)" resolved
expect "XBL still open (still listed)" "$(status_of spamhaus-xbl)" open
triage incidents show "$cop" --json > "$work/cop.json"
expect "resolved event" "$(py "$work/cop.json" "[e['detail'] for e in d['events'] if e['kind']=='status'][-1]")" \
    "waiting -> resolved: the listing has cleared (DNSBL re-check)"

# dismiss
triage incidents dismiss "$rep" --note "low volume receiver" > /dev/null
triage incidents list --json > "$work/list.json"
expect "dismissed leaves the open list" "$(py "$work/list.json" "[i['id'] for i in d if i['id']==$rep]")" "[]"
echo "all checks passed"

#!/usr/bin/env bash
# incidents_dkim_rdns.sh — a full `scan` over IMAP (real Dovecot on loopback) of bounces whose returned
# originals carry no Received field that shows our IP: provenance comes only from their DKIM-Signature
# (signed here by dkimpy with a key made by openssl, the public key served by NSD over c-ares), and
# the delisting drafts carry the forward-confirmed reverse DNS looked up by the agent (PTR, then A, from
# the same NSD). Three bounces naming Barracuda: 192.0.2.25 (PTR mail.example.com, which resolves back),
# 192.0.2.26 (no PTR) and a third whose original's Subject was changed after signing (DKIM fails:
# backscatter, no incident for 203.0.113.66).
set -euo pipefail
: "${NDR_TRIAGE:?}" "${NDR_SOURCE_DIR:?}"
source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"
source "$NDR_SOURCE_DIR/tests/integration/lib/nsd.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-dkim-rdns.XXXXXX")
chmod 755 "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    dovecot_cleanup
    nsd_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
DNS_PORT=25654
cd "$WORK"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
p=$(openssl pkey -in rsa.key -pubout -outform DER 2>/dev/null | base64 -w0)
zone_head() { # zone_head ORIGIN
    printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns.example.com. hostmaster.example.com. 1 600 300 86400 60\n@ IN NS ns.example.com.\n' "$1"
}
{ zone_head example.com
  echo "ns IN A 127.0.0.1"
  echo "mail IN A 192.0.2.25"
  echo "s1._domainkey IN TXT \"v=DKIM1; k=rsa; \" \"p=${p:0:200}\" \"${p:200}\""; } > example.com.zone
{ zone_head 2.0.192.in-addr.arpa
  echo "25 IN PTR mail.example.com."; } > reverse.zone
{ zone_head b.barracudacentral.org
  for ip in 2.0.0.127 25.2.0.192 26.2.0.192 66.113.0.203; do echo "$ip IN A 127.0.0.2"; done; } > barracuda.zone
nsd_start "$WORK" "$DNS_PORT" example.com example.com.zone 2.0.192.in-addr.arpa reverse.zone \
    b.barracudacentral.org barracuda.zone

# bounce N RCPT DOMAIN LISTED_IP [tamper]: a Postfix DSN whose text/rfc822-headers part is the
# DKIM-signed original's header (no Received field).
bounce() {
    /usr/bin/python3 - "$@" <<'PY'
import sys
import dkim
n, rcpt, domain, ip = sys.argv[1:5]
tamper = len(sys.argv) > 5
orig = ("From: Alice <alice@example.com>\r\nTo: <%s@%s>\r\nSubject: Invoice %s\r\n"
        "Date: Tue, 01 Dec 2026 10:0%s:00 +0000\r\nMessage-ID: <dkim%s@example.com>\r\nMIME-Version: 1.0\r\n\r\n"
        "The body.\r\n" % (rcpt, domain, n, n, n)).encode()
sig = dkim.sign(orig, b"s1", b"example.com", open("rsa.key", "rb").read(), canonicalize=(b"relaxed", b"simple"),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
headers = (sig + orig).split(b"\r\n\r\n")[0].decode()
if tamper:
    headers = headers.replace("Subject: Invoice", "Subject: Refund")
line = "554 5.7.1 Service unavailable; Client host [%s] blocked using b.barracudacentral.org" % ip
out = f"""Return-Path: <>
Date: Tue, 01 Dec 2026 10:0{n}:05 +0000
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: alice@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B{n}"
Message-Id: <bounce{n}@mail.example.com>

--B{n}
Content-Type: text/plain; charset=us-ascii

<{rcpt}@{domain}>: host mx.{domain}[198.51.100.{n}] said: {line} (in reply to RCPT TO command)

--B{n}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; {rcpt}@{domain}
Action: failed
Status: 5.7.1
Remote-MTA: dns; mx.{domain}
Diagnostic-Code: smtp; {line}

--B{n}
Content-Type: text/rfc822-headers

{headers}

--B{n}--
"""
open("bounce%s.eml" % n, "w").write(out.replace("\r\n", "\n"))
PY
}
bounce 1 bob example.net 192.0.2.25
bounce 2 carol example.org 192.0.2.26
bounce 3 dave example.net 203.0.113.66 tamper

dovecot_setup 26443 26493
dovecot_start
dovecot_deliver bounce1.eml bounce2.eml bounce3.eml
ndr_imap_toml > agent.toml
cat >> agent.toml <<TOML
[identity]
domains = ["example.com"]
admin_name = "Alice Admin"
admin_email = "postmaster@example.com"
[dns]
resolvers = ["127.0.0.1:$DNS_PORT"]
timeout_ms = 1000
[state]
path = "$WORK/state.db"
TOML
triage() { "$NDR_TRIAGE" --no-site --shipped-rules "$NDR_SOURCE_DIR/rules.d" --config "$WORK/agent.toml" "$@"; }
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
expect() { [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"; echo "ok: $1"; }

triage scan --json > scan.json 2> scan.err || fail "scan: $(cat scan.err)"
expect "new messages" "$(py scan.json "d['new']")" 3
expect "backscatter" "$(py scan.json "d['totals']['backscatter']")" 1
expect "incidents" "$(py scan.json "sorted((i['list'], i['listed']) for i in d['incidents'])")" \
    "[('barracuda-brbl', '192.0.2.25'), ('barracuda-brbl', '192.0.2.26')]"

# Provenance as recorded: the two signed originals by DKIM, the tampered one not.
python3 - "$WORK/state.db" <<'PY' || fail "provenance"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT original_message_id, provenance, provenance_detail FROM messages ORDER BY 1").fetchall()
got = {r[0].strip("<>"): (r[1], r[2]) for r in rows}
for mid in ("dkim1@example.com", "dkim2@example.com"):
    verdict, detail = got[mid]
    assert verdict == "ours" and "DKIM-Signature d=example.com s=s1 verifies" in detail, (mid, verdict, detail)
verdict, detail = got["dkim3@example.com"]
assert verdict == "backscatter", (verdict, detail)
print("ok: provenance by DKIM")
PY

triage drafts list --json > drafts.json
expect "two form drafts" "$(py drafts.json "sorted(x['kind'] for x in d)")" "['form', 'form']"
for ip in 192.0.2.25 192.0.2.26; do
    inc=$(py scan.json "[i['id'] for i in d['incidents'] if i['listed']=='$ip'][0]")
    id=$(py drafts.json "[x['id'] for x in d if x['incident']==$inc][0]")
    triage drafts show "$id" | tr -d "\r" > "draft-$ip.eml" # CRLF line ends
done
grep -q "^Reverse DNS (looked up): 192.0.2.25 -> mail.example.com (forward-confirmed)$" draft-192.0.2.25.eml ||
    fail "no FCrDNS line: $(grep -i 'reverse' draft-192.0.2.25.eml)"
grep -q "not shown in the returned headers" draft-192.0.2.25.eml && fail "the looked-up rDNS did not replace the placeholder"
grep -q "^Reverse DNS (looked up): 192.0.2.26 -> (no PTR record)$" draft-192.0.2.26.eml ||
    fail "no missing-PTR line: $(grep -i 'reverse' draft-192.0.2.26.eml)"
echo "ok: drafts carry the looked-up reverse DNS"
grep -q "203.0.113.66" draft-192.0.2.2*.eml && fail "a draft mentions the backscatter IP"

# A second scan records nothing new and does not rewrite the drafts (the lookup gives the same text).
triage scan --json > scan2.json 2> scan2.err || fail "rescan: $(cat scan2.err)"
expect "nothing new" "$(py scan2.json "d['new']")" 0
triage drafts list --json > drafts2.json
expect "drafts unchanged" "$(py drafts2.json "sorted((x['id'], x['revision']) for x in d)")" \
    "$(py drafts.json "sorted((x['id'], x['revision']) for x in d)")"
echo "incidents_dkim_rdns: ok"

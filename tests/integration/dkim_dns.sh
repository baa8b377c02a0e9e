#!/usr/bin/env bash
# dkim_dns.sh — agent/provenance/dkim against keys served by a real DNS server on loopback (NSD: a
# 2048-bit RSA key needs a TXT record of several strings, more than rbldnsd's 255 bytes) and looked up
# over c-ares, with messages signed by an independent implementation (dkimpy, python3-dkim): key pairs
# made here with openssl, rsa-sha256 and ed25519-sha256, relaxed and simple. Pass with the body cut
# off (bh= is not checked and the detail says so), fail when a signed header changed, other domains
# ignored, no_key for a missing or revoked key, and the same verdicts from a configured key file.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/nsd.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
DRIVER=${NDR_BUILD_DIR:?}/tests/ndr-test-provenance
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-dkim.XXXXXX")
chmod 755 "$WORK"
cleanup() {
    set +e # each step runs whatever failed before (a failed kill must not skip the rest)
    nsd_cleanup
    [[ -z ${NDR_KEEP_TMP:-} ]] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
PORT=25653
cd "$WORK"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.key 2>/dev/null
openssl pkey -in rsa.key -pubout -out rsa.pub 2>/dev/null
rsa_p=$(openssl pkey -in rsa.key -pubout -outform DER 2>/dev/null | base64 -w0)
ed_p=$(openssl pkey -in ed.key -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
((${#rsa_p} > 255)) || fail "the RSA key record should need more than one TXT string"

cat > example.com.zone <<ZONE
\$ORIGIN example.com.
\$TTL 60
@ IN SOA ns.example.com. hostmaster.example.com. 1 600 300 86400 60
@ IN NS ns.example.com.
ns IN A 127.0.0.1
s1._domainkey IN TXT "v=DKIM1; k=rsa; " "p=${rsa_p:0:200}" "${rsa_p:200}"
e1._domainkey IN TXT "v=DKIM1; k=ed25519; p=$ed_p"
r1._domainkey IN TXT "v=DKIM1; k=rsa; p="
ZONE
nsd_start "$WORK" "$PORT" example.com example.com.zone

printf '%s\r\n' "From: Mail Admin <postmaster@example.com>" "To: someone@example.net" \
    "Subject: Invoice   for December," "	folded onto a second line" "Date: Tue, 01 Dec 2026 10:00:00 +0000" \
    "Message-ID: <20261201.1@example.com>" "MIME-Version: 1.0" "" "The body, which an NDR often drops." > message.eml

# sign OUT SELECTOR ALGORITHM CANON: dkimpy signs message.eml (RSA: PEM key; Ed25519: base64 seed).
sign() {
    /usr/bin/python3 - "$@" <<'PY'
import base64, subprocess, sys
import dkim
out, selector, algorithm, canon = sys.argv[1:]
if algorithm == "ed25519-sha256":
    der = subprocess.run(["openssl", "pkey", "-in", "ed.key", "-outform", "DER"], capture_output=True, check=True).stdout
    key = base64.b64encode(der[-32:])
else:
    key = open("rsa.key", "rb").read()
msg = open("message.eml", "rb").read()
sig = dkim.sign(msg, selector.encode(), b"example.com", key, canonicalize=(canon.encode(), b"simple"),
                signature_algorithm=algorithm.encode(),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
open(out, "wb").write(sig + msg)
PY
}

# verify NAME WANT FILE [driver options]: WANT is the first word the driver prints.
verify() {
    local name=$1 want=$2 file=$3
    shift 3
    "$DRIVER" dkim-verify "$file" "$@" > "$name.out" 2> "$name.err" || true
    [[ $(head -1 "$name.out" | cut -d' ' -f1) == "$want" ]] ||
        fail "$name: want $want, got: $(cat "$name.out" "$name.err")"
}
dns=(--domain example.com --resolver "127.0.0.1:$PORT")

# headers_only IN OUT: the header block, body cut off (as in a text/rfc822-headers part).
headers_only() { awk '{ print } /^\r?$/ { exit }' "$1" > "$2"; }

for algorithm in rsa-sha256 ed25519-sha256; do
    selector=s1
    [[ $algorithm == ed25519-sha256 ]] && selector=e1
    for canon in relaxed simple; do
        n=$algorithm-$canon
        sign "$n.eml" "$selector" "$algorithm" "$canon"
        verify "$n" pass "$n.eml" "${dns[@]}" --selector "$selector"
        grep -q "bh=) not checked" "$n.out" || fail "$n: the detail does not say that bh= was not checked"
        grep -q "d=example.com s=$selector" "$n.out" || fail "$n: domain and selector: $(cat "$n.out")"
        headers_only "$n.eml" "$n.headers"
        verify "$n-headers" pass "$n.headers" "${dns[@]}"
        sed 's/^Subject: Invoice/Subject: Invoic3/' "$n.eml" > "$n.tampered"
        verify "$n-tampered" fail "$n.tampered" "${dns[@]}"
        verify "$n-other-domain" none "$n.eml" --domain example.net --resolver "127.0.0.1:$PORT"
        verify "$n-other-selector" none "$n.eml" "${dns[@]}" --selector s2
    done
done

# Relaxed survives refolding in transit; simple does not.
sed -z 's/December,\r\n\tfolded/December, folded/' rsa-sha256-relaxed.eml > refolded-relaxed.eml
verify refolded-relaxed pass refolded-relaxed.eml "${dns[@]}"
sed -z 's/December,\r\n\tfolded/December, folded/' rsa-sha256-simple.eml > refolded-simple.eml
verify refolded-simple fail refolded-simple.eml "${dns[@]}"

# A selector without a key record, and a revoked key.
sign missing.eml s9 rsa-sha256 relaxed
verify missing no_key missing.eml "${dns[@]}"
grep -q "s9._domainkey.example.com" missing.out || fail "missing: the detail does not name the query"
sign revoked.eml r1 rsa-sha256 relaxed
verify revoked no_key revoked.eml "${dns[@]}"
grep -q "revoked" revoked.out || fail "revoked: $(cat revoked.out)"

# The same keys from files instead of DNS (a PEM public key, a PEM private key).
verify file-pub pass rsa-sha256-relaxed.headers --domain example.com --key "s1._domainkey.example.com=$WORK/rsa.pub"
verify file-priv pass ed25519-sha256-simple.eml --domain example.com --key "e1._domainkey.example.com=$WORK/ed.key"
verify file-tampered fail rsa-sha256-simple.tampered --domain example.com --key "s1._domainkey.example.com=$WORK/rsa.pub"

# A DNS server that does not answer: no_key, not a crash or a hang.
verify dead no_key rsa-sha256-relaxed.eml --domain example.com --resolver 127.0.0.1:22654
echo "dkim_dns: ok"

#!/usr/bin/env bash
# dnsbl_outcomes.sh — `ndr-triage check` against a real rbldnsd on 127.0.0.1:15353 serving zones named
# like the real ones (tests/integration/data/dnsbl): every outcome (listed, not-listed, lookup-failed,
# query-refused, not-applicable), every error code, an undocumented code, a rewritten answer, bitmask
# lists, an allow-list, a zone that lists everything, IPv6 and IDN targets, and the exit codes.
set -euo pipefail
source "$NDR_SOURCE_DIR/tests/integration/lib/dnsbl_common.sh"
trap rbl_cleanup EXIT
rbl_setup_dir
mapfile -t specs < <(rbl_zone_specs)
rbl_start 15353 "${specs[@]}"
R=(--resolver 127.0.0.1:15353)

# --- IPv4 targets against every list -------------------------------------------------------------------
run_check "${R[@]}" --json 192.0.2.10 192.0.2.11 192.0.2.20 192.0.2.21 192.0.2.22 192.0.2.30 192.0.2.66 192.0.2.50 192.0.2.99
expect "exit code with a listing" "$RC" 1
expect "results: 9 targets x 11 lists, minus senderbase (no zone)" "$(jq length <<<"$OUT")" 90
expect "SBL listed" "$(field 192.0.2.10 spamhaus-zen '.outcome')" listed
expect "SBL code" "$(field 192.0.2.10 spamhaus-zen '.codes | join(",")')" 127.0.0.2
expect "SBL meaning" "$(field 192.0.2.10 spamhaus-zen '.meanings | join(",")')" "SBL: Spamhaus-verified spam source"
expect "SBL TXT" "$(field 192.0.2.10 spamhaus-zen '.txt[0]')" "Listed in the SBL, see https://check.spamhaus.org/query/ip/192.0.2.10"
expect "SBL ttl" "$(field 192.0.2.10 spamhaus-zen '.ttl')" 60
expect "zen health" "$(field 192.0.2.10 spamhaus-zen '.zone_health')" ok
expect "SpamCop listed" "$(field 192.0.2.10 spamcop '.outcome')" listed
expect "Barracuda not listed" "$(field 192.0.2.10 barracuda-brbl '.outcome')" not-listed
expect "XBL listed" "$(field 192.0.2.11 spamhaus-zen '.outcome')" listed
expect "XBL is fix-first" "$(field 192.0.2.11 spamhaus-zen '.fix_first')" true
expect "127.255.255.252 refused" "$(field 192.0.2.20 spamhaus-zen '.outcome')" query-refused
expect "127.255.255.254 refused" "$(field 192.0.2.21 spamhaus-zen '.outcome')" query-refused
expect "127.255.255.254 meaning" "$(field 192.0.2.21 spamhaus-zen '.meanings[0]')" "query through a public or open resolver: not a listing"
expect "127.255.255.255 refused" "$(field 192.0.2.22 spamhaus-zen '.outcome')" query-refused
expect "undocumented code listed" "$(field 192.0.2.30 spamhaus-zen '.outcome')" listed
expect "undocumented code meaning" "$(field 192.0.2.30 spamhaus-zen '.meanings[0]')" "unknown code"
expect "answer outside 127/8 refused" "$(field 192.0.2.66 spamhaus-zen '.outcome')" query-refused
expect "answer outside 127/8 flagged" "$(field 192.0.2.66 spamhaus-zen '.resolver_rewrites')" true
expect "allow-list is not a listing" "$(field 192.0.2.50 dnswl '.outcome')" not-listed
expect "allow-list flagged" "$(field 192.0.2.50 dnswl '.allow')" true
expect "unserved zone: REFUSED is a failed lookup" "$(field 192.0.2.10 psbl '.outcome')" lookup-failed
expect "unserved zone detail" "$(field 192.0.2.10 psbl '.note')" REFUSED
expect "world-listing zone answers listed" "$(field 192.0.2.99 njabl '.outcome')" listed
expect "world-listing zone untrusted" "$(field 192.0.2.99 njabl '.untrusted')" true
expect "world-listing zone health" "$(field 192.0.2.99 njabl '.zone_health')" lists-everything
expect "defunct list skipped" "$(field 192.0.2.10 sorbs '.outcome')" not-applicable
expect "domain list for an IP" "$(field 192.0.2.10 spamhaus-dbl '.outcome')" not-applicable
expect "clean IP" "$(field 192.0.2.99 spamhaus-zen '.outcome')" not-listed
expect "clean IP negative ttl (SOA minimum)" "$(field 192.0.2.99 spamhaus-zen '.ttl')" 60

# --- exit codes -------------------------------------------------------------------------------------------
run_check "${R[@]}" --lists spamhaus-zen,spamcop 192.0.2.99
expect "exit 0 when nothing is listed" "$RC" 0
run_check "${R[@]}" --lists spamhaus-zen 192.0.2.21
expect "exit 2 when refused and nothing listed" "$RC" 2
run_check "${R[@]}" --lists njabl 192.0.2.99
expect "exit 2 when the only listing is untrusted" "$RC" 2
run_check "${R[@]}" --lists dnswl 192.0.2.50
expect "exit 0 for an allow-list entry" "$RC" 0
run_check "${R[@]}" --json --lists sorbs 192.0.2.10
expect "defunct list checked when named" "$(field 192.0.2.10 sorbs '.outcome')" listed
run_check "${R[@]}" 192.0.2.256
expect "bad IPv4 is a usage error" "$RC" 3
run_check "${R[@]}" "exa..mple.com"
expect "bad domain is a usage error" "$RC" 3
run_check "${R[@]}" --lists no-such-list 192.0.2.10
expect "unknown list is a usage error" "$RC" 3
run_check --resolver 127.0.0.1:99999 192.0.2.10
expect "bad resolver is a usage error" "$RC" 3

# --- IPv6 ---------------------------------------------------------------------------------------------------
run_check "${R[@]}" --json 2001:db8::10 ::ffff:127.0.0.2 2001:db8::99
expect "IPv6 CSS listed" "$(field 2001:db8::10 spamhaus-zen '.codes[0]')" 127.0.0.3
expect "IPv6 on an IPv4-only list" "$(field 2001:db8::10 spamcop '.outcome')" not-applicable
expect "IPv4-mapped test point queried as IPv6" "$(field ::ffff:127.0.0.2 spamhaus-zen '.outcome')" listed
expect "IPv6 zone health" "$(field 2001:db8::99 spamhaus-zen '.zone_health')" ok
expect "IPv6 clean" "$(field 2001:db8::99 spamhaus-zen '.outcome')" not-listed

# --- domains -------------------------------------------------------------------------------------------------
run_check "${R[@]}" --json spam-domain.example phish.example dbl-error.example www.black-red.example \
    mail.shop.example.co.uk refused.example sub.phish-malware.example bücher.example clean.example
expect "DBL listed" "$(field spam-domain.example spamhaus-dbl '.outcome')" listed
expect "DBL phishing meaning" "$(field phish.example spamhaus-dbl '.meanings[0]')" "phishing domain"
expect "DBL 127.0.1.255 is an error" "$(field dbl-error.example spamhaus-dbl '.outcome')" query-refused
expect "URIBL bits decoded" "$(field www.black-red.example uribl '.meanings | join(",")')" "black,red"
expect "URIBL registered domain (co.uk)" "$(field mail.shop.example.co.uk uribl '.meanings | join(",")')" grey
expect "URIBL 127.0.0.1 is refused" "$(field refused.example uribl '.outcome')" query-refused
expect "SURBL bits decoded" "$(field sub.phish-malware.example surbl '.meanings | join(",")')" "PH: phishing,MW: malware"
expect "IDN queried as A-label" "$(field xn--bcher-kva.example spamhaus-dbl '.outcome')" listed
expect "domain on an IP list" "$(field clean.example spamhaus-zen '.outcome')" not-applicable
expect "clean domain" "$(field clean.example spamhaus-dbl '.outcome')" not-listed
expect "domain zone health" "$(field clean.example uribl '.zone_health')" ok

# --- text output -------------------------------------------------------------------------------------------------
run_check "${R[@]}" --lists spamhaus-zen 192.0.2.10
expect "text output names the outcome" "$(awk '$1 == "192.0.2.10" && $2 == "spamhaus-zen" {print $4}' <<<"$OUT")" listed
finish

#!/usr/bin/env bash
# report.sh — builds the demo report: the story of a compromised laptop told by three weeks of bounces,
# then `ndr-triage report --html`. Touches nothing outside a temp directory (and OUT.html).
#
#   tests/demo/report.sh [path/to/ndr-triage] OUT.html [extra report options, e.g. --days 21]
#
# 1. Writes copies of the team's fixture bounces (fixtures/ndr/blocklists) dated over the last 21 days:
#    a few reputation bounces, then from day 12 a burst naming Spamhaus XBL, SpamCop and Barracuda.
# 2. Scans them (`ndr-triage scan FILE.eml...`) into a fresh state database.
# 3. When rbldnsd is installed: serves test zones on 127.0.0.1:$NDR_REPORT_DNS_PORT (default 31553) in
#    which our outbound IP 198.51.100.23 is listed in ZEN (XBL code) and SpamCop but not Barracuda, and
#    runs `ndr-triage check` against them with the state database as its answer cache.
# 4. When the drafts table is empty (the drafting code of issue 6 writes it during scans; until then),
#    adds two drafts awaiting review with sqlite3, as that code would.
# 5. Writes the report.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export NDR_SOURCE_DIR=${NDR_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}

BIN=${NDR_TRIAGE:-}
if [[ $# -ge 2 && -x $1 && ! -d $1 ]]; then BIN=$1; shift; fi
OUT=${1:?usage: report.sh [ndr-triage] OUT.html [report options]}
shift
if [[ -z $BIN ]]; then
    for candidate in "$NDR_SOURCE_DIR"/build/agent/ndr-triage "$(command -v ndr-triage || true)"; do
        if [[ -x $candidate ]]; then BIN=$candidate; break; fi
    done
fi
[[ -x $BIN ]] || { echo "report demo: no ndr-triage binary found; pass its path" >&2; exit 1; }

source "$NDR_SOURCE_DIR/tests/integration/lib/rbldnsd.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-report-demo.XXXXXX")
cleanup() { set +e; rbl_cleanup; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/mail"

cat > "$WORK/agent.toml" <<EOF
[state]
path = "$WORK/state.db"
[identity]
outbound_ips = ["198.51.100.23", "2001:db8:23::25"]
domains = ["example.com"]
admin_name = "Mail Admin"
admin_email = "postmaster@example.com"
EOF

# fixture : bounces per day, oldest (20 days ago) first
plan=(
    "godaddy-ib105-postfix.eml:0 0 0 0 0 0 0 0 0 0 0 0 2 4 7 6 3 1 1 0 0"   # Spamhaus XBL (infected host)
    "spamcop-exim.eml:0 0 0 0 0 0 0 0 0 0 0 0 1 3 5 4 2 1 0 0 0"            # SpamCop
    "barracuda-brbl-postfix.eml:0 0 0 0 0 0 0 0 0 0 0 0 0 2 3 2 1 0 0 0 0"  # Barracuda
    "senderscore-postfix.eml:0 0 1 0 0 0 1 0 0 0 1 0 1 1 2 1 1 0 0 1 0"     # reputation, no removal
    "gmail-low-reputation-postfix.eml:1 0 0 1 0 0 0 1 0 0 0 1 0 1 1 1 0 1 0 0 1"
)
today=$(( $(date -u +%s) / 86400 * 86400 ))
n=0
for entry in "${plan[@]}"; do
    fixture=${entry%%:*}
    read -r -a counts <<< "${entry#*:}"
    src="$NDR_SOURCE_DIR/fixtures/ndr/blocklists/$fixture"
    [[ -f $src ]] || { echo "report demo: missing fixture $src" >&2; exit 1; }
    for day in "${!counts[@]}"; do
        for ((i = 0; i < counts[day]; i++)); do
            at=$(( today - (20 - day) * 86400 + 8 * 3600 + i * 1800 + n % 60 * 7 ))
            stamp=$(date -u -R -d "@$at")
            n=$((n + 1))
            # The NDR's own Date (the first one) moves; every copy is a distinct message.
            sed -e "0,/^Date: .*/s//Date: $stamp/" "$src" > "$WORK/mail/$(printf '%03d' "$n")-$fixture"
        done
    done
done

"$BIN" --config "$WORK/agent.toml" --no-site scan "$WORK"/mail/*.eml > /dev/null

if command -v rbldnsd > /dev/null && command -v dig > /dev/null; then
    RBL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ndr-report-rbl.XXXXXX")
    cp "$HERE"/dnsbl/* "$RBL_DIR"/
    chmod 755 "$RBL_DIR"
    chmod 644 "$RBL_DIR"/*
    port=${NDR_REPORT_DNS_PORT:-31553}
    rbl_start "$port" zen.spamhaus.org:ip4set:zen.ip4set zen.spamhaus.org:ip6trie:zen.ip6trie \
        bl.spamcop.net:ip4set:spamcop.ip4set b.barracudacentral.org:ip4set:barracuda.ip4set
    # Exit 1 means "something is listed", which is the point of the demo.
    "$BIN" --config "$WORK/agent.toml" --no-site check --resolver "127.0.0.1:$port" --timeout 500 --tries 1 \
        --lists spamhaus-zen,spamcop,barracuda-brbl 198.51.100.23 > /dev/null || [[ $? == 1 ]]
else
    echo "report demo: rbldnsd not installed: the report shows no cached DNSBL answers" >&2
fi

if [[ $(sqlite3 "$WORK/state.db" 'SELECT COUNT(*) FROM drafts') == 0 ]]; then
    now=$(date -u +%s)
    sqlite3 "$WORK/state.db" <<EOF
INSERT INTO drafts(incident_id, kind, recipient, subject, body, created_at, updated_at)
  SELECT id, 'removal-form', 'https://check.spamhaus.org/', 'Spamhaus XBL removal for ' || listed,
         'Infected laptop found and rebuilt; outbound port 25 now only from the mail server.', $now, $now
  FROM incidents WHERE system = 'spamhaus-xbl' LIMIT 1;
INSERT INTO drafts(incident_id, kind, recipient, subject, body, created_at, updated_at)
  SELECT id, 'postmaster-note', 'postmaster@example.net', 'Mail from ' || listed || ' refused for reputation',
         'Please allow-list us temporarily while our reputation recovers.', $now, $now
  FROM incidents WHERE system = 'senderscore' LIMIT 1;
EOF
fi

"$BIN" --config "$WORK/agent.toml" --no-site report --html "$OUT" "$@"
echo "report demo: $n bounces over 21 days; report written to $OUT" >&2

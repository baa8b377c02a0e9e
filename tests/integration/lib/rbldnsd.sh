# tests/integration/lib/rbldnsd.sh — start and stop a throwaway rbldnsd (and a black-hole UDP port) on
# 127.0.0.1 for the DNSBL integration tests and bench/dnsbl. Source it, then:
#
#   rbl_setup_dir                     # copies tests/integration/data/dnsbl/zones to $RBL_DIR (a fresh mktemp dir)
#   rbl_start PORT ZONESPEC...        # zone:type:file ...; waits until 2.0.0.127.<first zone> answers
#                                     # (binds $RBL_ADDR, default 127.0.0.1)
#   rbl_blackhole PORT                # a UDP socket that never answers (timeouts)
#   rbl_cleanup                       # stops everything started here and removes $RBL_DIR (use in a trap)
#   rbl_zone_specs [KEY]              # the zone specs of the test data (KEY: also serve <KEY>.zen.dq.spamhaus.net)
#
# Needs rbldnsd, dig (dnsutils) and perl (perl-base). Works as root (rbldnsd then runs as nobody) and as
# an unprivileged user. Never binds anything but 127.0.0.1.

RBL_DATA_DIR="${NDR_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}/tests/integration/data/dnsbl"
RBL_DIR=""
RBL_PIDS=()
RBL_ADDR="${RBL_ADDR:-127.0.0.1}" # the loopback address rbldnsd binds (bench/dnsbl uses 127.0.0.2)

rbl_setup_dir() {
    RBL_DIR="$(mktemp -d /tmp/ndr-rbl.XXXXXX)"
    cp "$RBL_DATA_DIR"/zones/* "$RBL_DIR"/
    chmod 755 "$RBL_DIR"
    chmod 644 "$RBL_DIR"/*
}

rbl_zone_specs() {
    local key="${1:-}"
    local specs=(
        zen.spamhaus.org:ip4set:zen.ip4set
        zen.spamhaus.org:ip6trie:zen.ip6trie
        bl.spamcop.net:ip4set:spamcop.ip4set
        b.barracudacentral.org:ip4set:barracuda.ip4set
        list.dnswl.org:ip4set:dnswl.ip4set
        dnsbl.njabl.org:ip4trie:njabl.ip4trie
        dnsbl.sorbs.net:ip4set:sorbs.ip4set
        dbl.spamhaus.org:dnset:dbl.dnset
        multi.uribl.com:dnset:uribl.dnset
        multi.surbl.org:dnset:surbl.dnset
    )
    if [[ -n "$key" ]]; then
        specs+=("$key.zen.dq.spamhaus.net:ip4set:zen.ip4set" "$key.zen.dq.spamhaus.net:ip6trie:zen.ip6trie")
    fi
    printf '%s\n' "${specs[@]}"
}

# rbl_start PORT ZONESPEC... — starts rbldnsd in its own process group; fails after 10 s if not ready.
rbl_start() {
    local port="$1"
    shift
    local user=()
    if [[ "$(id -u)" == 0 ]]; then user=(-u nobody:nogroup); fi
    setsid rbldnsd -n -4 -b "$RBL_ADDR/$port" -w "$RBL_DIR" -t 60 -c 0 "${user[@]}" "$@" \
        >"$RBL_DIR/rbldnsd-$port.log" 2>&1 &
    local pid=$!
    RBL_PIDS+=("$pid")
    local first_zone="${1%%:*}"
    local deadline=$((SECONDS + 10))
    until [[ -n "$(dig +short +time=1 +tries=1 -p "$port" "@$RBL_ADDR" "2.0.0.127.$first_zone" A 2>/dev/null)" ]]; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
            echo "rbldnsd on port $port did not start:" >&2
            cat "$RBL_DIR/rbldnsd-$port.log" >&2
            return 1
        fi
        sleep 0.05
    done
}

# rbl_blackhole PORT — a bound UDP socket on 127.0.0.1 that never reads nor answers.
rbl_blackhole() {
    local port="$1"
    setsid perl -MIO::Socket::INET -e \
        'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Proto => "udp") or die "bind: $!\n"; sleep 600;' \
        "$port" >"$RBL_DIR/blackhole-$port.log" 2>&1 &
    RBL_PIDS+=("$!")
    local deadline=$((SECONDS + 5))
    until grep -q ":$(printf '%04X' "$port") " /proc/net/udp 2>/dev/null; do
        if ((SECONDS > deadline)); then
            echo "black-hole port $port did not bind" >&2
            return 1
        fi
        sleep 0.05
    done
}

rbl_cleanup() {
    local pid
    for pid in "${RBL_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${RBL_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    RBL_PIDS=()
    if [[ -n "$RBL_DIR" && -d "$RBL_DIR" ]]; then rm -rf "$RBL_DIR"; fi
    RBL_DIR=""
}

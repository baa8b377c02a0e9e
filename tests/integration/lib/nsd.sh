# nsd.sh — a throwaway NSD authoritative server on 127.0.0.1 for tests that need TXT records longer
# than rbldnsd's 255 bytes (DKIM keys, tests/integration/dkim_dns.sh) or records rbldnsd does not
# serve (PTR, forward A: incidents_dkim_rdns.sh, which also serves a DNSBL zone from it). Sourced.
#
#   nsd_start DIR PORT ZONE ZONEFILE [ZONE ZONEFILE]...
#                                      config, pid, log and database in DIR; waits until each SOA answers
#   nsd_cleanup                        stops it (use in a trap)
# Needs nsd and dig (dnsutils). Works as root and as an unprivileged user; binds only 127.0.0.1.

NSD_PID=""

nsd_start() {
    local dir=$1 port=$2
    shift 2
    local -a zones=()
    cat > "$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1
  port: $port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  hide-version: yes
remote-control:
  control-enable: no
CONF
    while (($# >= 2)); do
        printf 'zone:\n  name: %s\n  zonefile: %s\n' "$1" "$2" >> "$dir/nsd.conf"
        zones+=("$1")
        shift 2
    done
    setsid nsd -d -c "$dir/nsd.conf" > "$dir/nsd.out" 2>&1 &
    NSD_PID=$!
    local deadline=$((SECONDS + 10)) zone
    for zone in "${zones[@]}"; do
        until [[ -n $(dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 "$zone" SOA 2>/dev/null) ]]; do
            if ! kill -0 "$NSD_PID" 2>/dev/null || ((SECONDS > deadline)); then
                echo "nsd on port $port did not serve $zone:" >&2
                cat "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
                return 1
            fi
            sleep 0.05
        done
    done
}

nsd_cleanup() {
    [[ -n $NSD_PID ]] || return 0
    kill -TERM -- "-$NSD_PID" 2>/dev/null || kill -TERM "$NSD_PID" 2>/dev/null || true
    wait "$NSD_PID" 2>/dev/null || true
    NSD_PID=""
}

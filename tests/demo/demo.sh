#!/usr/bin/env bash
# demo.sh — see ndr-triage work end to end in a few seconds, touching nothing outside a temp directory:
# starts a throwaway Dovecot on 127.0.0.1 whose INBOX holds the fixture bounces (fixtures/ndr/**/*.eml),
# runs `ndr-triage scan` against it over TLS (a test CA made on the spot) with a temporary state
# database, prints the triage report, and stops Dovecot again.
#
#   tests/demo/demo.sh [path/to/ndr-triage] [extra scan options, e.g. --json]
#
# Needs dovecot-imapd and openssl (Dovecot is run from its own config; /etc/dovecot is not read).
# Ports: $NDR_DEMO_PORT (default 31143) and the next port for IMAPS.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export NDR_SOURCE_DIR=${NDR_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}

BIN=${1:-${NDR_TRIAGE:-}}
[[ $# -gt 0 ]] && shift
if [[ -z $BIN ]]; then
    for candidate in "$NDR_SOURCE_DIR"/build/agent/ndr-triage "$NDR_SOURCE_DIR"/build*/agent/ndr-triage "$(command -v ndr-triage || true)"; do
        if [[ -x $candidate ]]; then BIN=$candidate; break; fi
    done
fi
[[ -x $BIN ]] || { echo "demo: no ndr-triage binary found; build it (cmake -S . -B build && cmake --build build) or pass its path" >&2; exit 1; }
command -v dovecot > /dev/null || { echo "demo: dovecot is not installed (apt-get install dovecot-imapd)" >&2; exit 1; }

source "$NDR_SOURCE_DIR/tests/integration/lib/dovecot.sh"
PORT=${NDR_DEMO_PORT:-31143}
STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ndr-demo.XXXXXX")
cleanup() { set +e; dovecot_cleanup; rm -rf "$STATE_DIR"; }
trap cleanup EXIT

dovecot_setup "$PORT" $((PORT + 1))
dovecot_start
mapfile -t FIXTURES < <(find "$NDR_SOURCE_DIR/fixtures/ndr" -name '*.eml' | sort)
dovecot_deliver "${FIXTURES[@]}"
echo "demo: Dovecot on 127.0.0.1:$((PORT + 1)) (IMAPS) holds ${#FIXTURES[@]} fixture messages; scanning..." >&2
echo >&2

mapfile -t ARGS < <(ndr_imap_args)
"$BIN" --no-site scan "${ARGS[@]}" --state "$STATE_DIR/state.db" "$@"

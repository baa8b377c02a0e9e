# smtpd.sh — start and stop throwaway receiving SMTP servers (lib/smtpd.py, python3-aiosmtpd) on
# 127.0.0.1 for tests/integration/smtp_send.sh (sourced).
#
#   smtpd_start NAME PORT [smtpd.py options...]   messages land in $SMTPD_DIR/NAME/ (msg-N.eml, msg-N.json)
#   smtpd_cleanup                                 stops every server started here (use in a trap)

SMTPD_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMTPD_PIDS=()

smtpd_start() {
    local name=$1 port=$2
    shift 2
    mkdir -p "$SMTPD_DIR/$name"
    setsid /usr/bin/python3 "$SMTPD_LIB_DIR/smtpd.py" --port "$port" --out "$SMTPD_DIR/$name" "$@" \
        > "$SMTPD_DIR/$name.log" 2>&1 &
    local pid=$!
    SMTPD_PIDS+=("$pid")
    local deadline=$((SECONDS + 15))
    until [[ -e $SMTPD_DIR/$name/ready ]]; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
            echo "SMTP server $name on port $port did not start:" >&2
            cat "$SMTPD_DIR/$name.log" >&2
            return 1
        fi
        sleep 0.05
    done
}

smtpd_cleanup() {
    local pid
    for pid in "${SMTPD_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${SMTPD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SMTPD_PIDS=()
}

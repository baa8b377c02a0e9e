# dovecot.sh — a throwaway Dovecot on 127.0.0.1 for the IMAP tests, the demo and the benchmark (sourced).
#
# Never touches /etc/dovecot: everything (config, sockets, state, log, maildir) lives in one temp dir.
# Works as root (mail owned by nobody, login processes as dovenull) and as an unprivileged user (all
# processes as that user). One user, postmaster@example.test, password "secret", maildir storage,
# folders INBOX, Drafts (special-use \Drafts), Processed.
#
#   dovecot_setup IMAP_PORT IMAPS_PORT [CERT]   sets DOVECOT_DIR, writes certs + config (CERT: server|other|named)
#   dovecot_start / dovecot_stop [--fast] / dovecot_cleanup
#   dovecot_deliver FILE... [into INBOX via maildir new/]   dovecot_append MAILBOX FILE [over IMAP]
#   imap_session CMD...        runs tagged commands over plaintext IMAP (LOGIN first), prints the replies
#   imap_count MAILBOX / imap_flags MAILBOX / imap_uidvalidity MAILBOX
#   dovecot_with_fixtures IMAP_PORT IMAPS_PORT   setup + start + every fixture bounce in INBOX (FIXTURES, TOTAL)
# A raw IMAP client in bash (/dev/tcp): no curl, python or expect needed. Every read has a timeout.

NDR_TEST_LIB_DIR=${NDR_TEST_LIB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# shellcheck source=certs.sh
source "$NDR_TEST_LIB_DIR/certs.sh"

DOVECOT_USER=postmaster@example.test
DOVECOT_PASSWORD=secret

dovecot_setup() {
    local port=$1 tls_port=$2 cert=${3:-server}
    DOVECOT_PORT=$port
    DOVECOT_TLS_PORT=$tls_port
    # Short path under /tmp: Dovecot's unix sockets must fit in 108 bytes, and in root mode the mail
    # user (nobody) must be able to reach the maildir.
    DOVECOT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ndr-dovecot.XXXXXX")
    chmod 755 "$DOVECOT_DIR"
    mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail"
    ndr_certs_generate "$DOVECOT_DIR/certs"

    local login_user internal_user internal_group mail_uid mail_gid
    if [[ $(id -u) == 0 ]]; then
        login_user=dovenull; internal_user=dovecot; internal_group=dovecot
        mail_uid=65534; mail_gid=65534
    else
        login_user=$(id -un); internal_user=$(id -un); internal_group=$(id -gn)
        mail_uid=$(id -u); mail_gid=$(id -g)
    fi
    DOVECOT_MAIL_UID=$mail_uid
    DOVECOT_MAIL_GID=$mail_gid
    DOVECOT_HOME=$DOVECOT_DIR/mail/$DOVECOT_USER
    mkdir -p "$DOVECOT_HOME/Maildir/new" "$DOVECOT_HOME/Maildir/cur" "$DOVECOT_HOME/Maildir/tmp"
    chown -R "$mail_uid:$mail_gid" "$DOVECOT_DIR/mail"

    printf '%s:{PLAIN}%s:%s:%s::%s\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" "$mail_uid" "$mail_gid" \
        "$DOVECOT_HOME" > "$DOVECOT_DIR/users"
    cat > "$DOVECOT_DIR/dovecot.conf" <<EOF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
instance_name = ndr-test-$port
log_path = $DOVECOT_DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = 1
mail_location = maildir:~/Maildir
ssl = yes
ssl_cert = <$DOVECOT_DIR/certs/$cert.crt
ssl_key = <$DOVECOT_DIR/certs/$cert.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_max_userip_connections = 20
passdb {
  driver = passwd-file
  args = $DOVECOT_DIR/users
}
userdb {
  driver = passwd-file
  args = $DOVECOT_DIR/users
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Processed {
    auto = subscribe
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = $tls_port
    ssl = yes
  }
}
EOF
}

# True when the plaintext port greets with "* OK" (each probe bounded by 1 s).
dovecot_probe() {
    local fd line
    { exec {fd}<>"/dev/tcp/127.0.0.1/$DOVECOT_PORT"; } 2>/dev/null || return 1
    if read -r -t 1 -u "$fd" line && [[ $line == "* OK"* ]]; then
        exec {fd}>&-
        return 0
    fi
    exec {fd}>&-
    return 1
}

# The tests' ports are below Linux's default ephemeral range (32768-60999), where the kernel does not
# pick a client socket's own port: with them inside it, a connection of another test running beside
# (imap_tls's 32994, once) held a port Dovecot was to listen on, for longer than the retries below.
# A machine whose range was widened can still meet that: Dovecot then exits with "Address already in
# use" and is started again, up to 3 times.
dovecot_start() {
    local attempt
    for attempt in 1 2 3; do
        _dovecot_start_once && return 0
        grep -q "Address already in use" "$DOVECOT_DIR/stdout.log" 2>/dev/null || break
        kill -0 "$DOVECOT_PID" 2>/dev/null && break # still running: not a failed bind
        echo "dovecot: a port was in use (attempt $attempt), starting again" >&2
        sleep 0.5
    done
    echo "dovecot did not start; log:" >&2
    cat "$DOVECOT_DIR/stdout.log" "$DOVECOT_DIR/dovecot.log" >&2 2>/dev/null || true
    return 1
}

_dovecot_start_once() {
    rm -f "$DOVECOT_DIR/run/master.pid"
    setsid dovecot -F -c "$DOVECOT_DIR/dovecot.conf" > "$DOVECOT_DIR/stdout.log" 2>&1 &
    DOVECOT_PID=$!
    disown "$DOVECOT_PID" # stopped through its process group; keeps `wait` and job notices out of it
    echo "$DOVECOT_PID" > "$DOVECOT_DIR/dovecot.pid"
    local deadline=$((SECONDS + 10))
    until dovecot_probe; do
        if ((SECONDS >= deadline)) || ! kill -0 "$DOVECOT_PID" 2>/dev/null; then
            return 1
        fi
        sleep 0.05
    done
}

# True while process group PGID has a live (non-zombie) member. Reads /proc: no procps needed.
_pgroup_alive() {
    local pgid=$1 f line fields
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        read -r -a fields <<< "${line##*) }" # after "pid (comm) ": state ppid pgrp ...
        [[ ${fields[2]} == "$pgid" && ${fields[0]} != Z ]] && return 0
    done
    return 1
}

# Waits until the process group has no live (non-zombie) member, at most 10 s.
dovecot_wait_gone() {
    local pid=$1 deadline=$((SECONDS + 10))
    while _pgroup_alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.02
    done
}

dovecot_stop() {
    [[ -n ${DOVECOT_PID:-} ]] || return 0
    if [[ ${1:-} == --fast ]]; then
        kill -KILL -- "-$DOVECOT_PID" 2>/dev/null || true
    else
        kill -TERM "$DOVECOT_PID" 2>/dev/null || true
    fi
    dovecot_wait_gone "$DOVECOT_PID" || kill -KILL -- "-$DOVECOT_PID" 2>/dev/null || true
    rm -f "$DOVECOT_DIR/dovecot.pid" "$DOVECOT_DIR/run/master.pid"
    DOVECOT_PID=
}

# For trap handlers: stop fast and remove the directory (kept when NDR_KEEP_TMP is set).
dovecot_cleanup() {
    dovecot_stop --fast
    if [[ -n ${DOVECOT_DIR:-} && -z ${NDR_KEEP_TMP:-} ]]; then rm -rf "$DOVECOT_DIR"; fi
}

# Drops messages into INBOX's maildir new/ (tmp/ then rename, the maildir way), owned by the mail user.
dovecot_deliver() {
    local f n=0 base
    for f in "$@"; do
        n=$((n + 1))
        base="$(date +%s).$$_${n}_${RANDOM}.ndr-test"
        cp "$f" "$DOVECOT_HOME/Maildir/tmp/$base"
        chown "$DOVECOT_MAIL_UID:$DOVECOT_MAIL_GID" "$DOVECOT_HOME/Maildir/tmp/$base"
        mv "$DOVECOT_HOME/Maildir/tmp/$base" "$DOVECOT_HOME/Maildir/new/$base"
    done
}

# --- raw IMAP over bash /dev/tcp (plaintext port; Dovecot allows LOGIN from 127.0.0.1) ---

_imap_open() {
    exec {IMAP_FD}<>"/dev/tcp/127.0.0.1/$DOVECOT_PORT"
    local line
    read -r -t 5 -u "$IMAP_FD" line || { echo "imap: no greeting" >&2; return 1; }
    IMAP_TAG=0
    _imap_cmd "LOGIN $DOVECOT_USER $DOVECOT_PASSWORD" > /dev/null
}

# Sends one tagged command, prints every reply line (CR stripped) up to and including the tagged one.
# Fails when the tagged reply is not OK.
_imap_cmd() {
    IMAP_TAG=$((IMAP_TAG + 1))
    local tag="t$IMAP_TAG" line
    printf '%s %s\r\n' "$tag" "$1" >&"$IMAP_FD"
    while read -r -t 10 -u "$IMAP_FD" line; do
        line=${line%$'\r'}
        printf '%s\n' "$line"
        if [[ $line == "$tag "* ]]; then
            [[ $line == "$tag OK"* ]] && return 0
            echo "imap: $line" >&2
            return 1
        fi
    done
    echo "imap: timeout waiting for $tag" >&2
    return 1
}

_imap_close() {
    printf 'z LOGOUT\r\n' >&"$IMAP_FD" 2>/dev/null || true
    exec {IMAP_FD}>&-
}

imap_session() {
    _imap_open || return 1
    local cmd rc=0
    for cmd in "$@"; do
        _imap_cmd "$cmd" || { rc=1; break; }
    done
    _imap_close
    return $rc
}

# APPENDs FILE (line endings made CRLF) to MAILBOX with a synchronising literal; prints the tagged reply.
dovecot_append() {
    local mailbox=$1 file=$2 tmp size line
    tmp=$(mktemp)
    sed 's/\r$//; s/$/\r/' "$file" > "$tmp"
    size=$(wc -c < "$tmp")
    _imap_open || { rm -f "$tmp"; return 1; }
    IMAP_TAG=$((IMAP_TAG + 1))
    printf 't%s APPEND %s {%s}\r\n' "$IMAP_TAG" "$mailbox" "$size" >&"$IMAP_FD"
    read -r -t 5 -u "$IMAP_FD" line
    if [[ $line != "+"* ]]; then
        echo "imap: APPEND refused: $line" >&2; _imap_close; rm -f "$tmp"; return 1
    fi
    cat "$tmp" >&"$IMAP_FD"
    printf '\r\n' >&"$IMAP_FD"
    rm -f "$tmp"
    local rc=1
    while read -r -t 10 -u "$IMAP_FD" line; do
        line=${line%$'\r'}
        if [[ $line == "t$IMAP_TAG "* ]]; then
            [[ $line == "t$IMAP_TAG OK"* ]] && rc=0
            break
        fi
    done
    _imap_close
    return $rc
}

# Number of messages in MAILBOX.
imap_count() {
    imap_session "STATUS \"$1\" (MESSAGES)" | sed -n 's/^\* STATUS .*MESSAGES \([0-9]*\).*/\1/p'
}

imap_uidvalidity() {
    imap_session "STATUS \"$1\" (UIDVALIDITY)" | sed -n 's/^\* STATUS .*UIDVALIDITY \([0-9]*\).*/\1/p'
}

# One line per message: "UID <flags>", e.g. "3 \Recent $NDRTriaged". EXAMINE: read-only, changes nothing.
imap_flags() {
    imap_session "EXAMINE \"$1\"" "UID FETCH 1:* (UID FLAGS)" |
        sed -n 's/^\* [0-9]* FETCH (.*UID \([0-9]*\).*FLAGS (\([^)]*\)).*/\1 \2/p; s/^\* [0-9]* FETCH (FLAGS (\([^)]*\)) UID \([0-9]*\)).*/\2 \1/p'
}

# --- helpers shared by the IMAP tests, the demo and the benchmark ---

# Writes N messages into DIR (variant-NNNNNN.eml), cycling through the fixture bounces
# (fixtures/ndr/**/*.eml), each with its own Message-ID so that every one is a new fingerprint.
ndr_make_variants() {
    local n=$1 dir=$2 src=${NDR_SOURCE_DIR:-$(cd "$NDR_TEST_LIB_DIR/../../.." && pwd)}
    mkdir -p "$dir"
    find "$src/fixtures/ndr" -name '*.eml' -print0 | sort -z | xargs -0 awk -v n="$n" -v dir="$dir" '
        FNR == 1 { files++ }
        { text[files] = text[files] $0 "\n" }
        END {
            for (i = 1; i <= n; i++) {
                f = (i - 1) % files + 1
                out = sprintf("%s/variant-%06d.eml", dir, i)
                split(text[f], lines, "\n")
                head = 1; done = 0; body = ""
                for (j = 1; j < length(lines); j++) {
                    l = lines[j]
                    if (head && l == "") { head = 0 }
                    if (head && !done && tolower(substr(l, 1, 11)) == "message-id:") {
                        l = sprintf("Message-ID: <variant-%d.%d@ndr-test.example>", i, f); done = 1
                    }
                    body = body l "\n"
                }
                if (!done) body = sprintf("Message-ID: <variant-%d.%d@ndr-test.example>\n", i, f) body
                printf "%s", body > out
                close(out)
            }
        }'
}

# Moves every file of DIR into INBOX (maildir new/) at once.
dovecot_deliver_dir() {
    local dir=$1 f n=0
    for f in "$dir"/*; do
        n=$((n + 1))
        mv "$f" "$DOVECOT_HOME/Maildir/tmp/$(basename "$f").$n.ndr-test"
    done
    chown -R "$DOVECOT_MAIL_UID:$DOVECOT_MAIL_GID" "$DOVECOT_HOME/Maildir/tmp"
    find "$DOVECOT_HOME/Maildir/tmp" -type f -exec mv -t "$DOVECOT_HOME/Maildir/new/" {} +
}

# The password file the agent reads (mode 0600).
ndr_password_file() {
    printf '%s\n' "$DOVECOT_PASSWORD" > "$DOVECOT_DIR/imap.password"
    chmod 600 "$DOVECOT_DIR/imap.password"
    echo "$DOVECOT_DIR/imap.password"
}

# `scan` options for this Dovecot over implicit TLS with the test CA.
ndr_imap_args() {
    printf '%s\n' --host 127.0.0.1 --port "$DOVECOT_TLS_PORT" --tls implicit --ca-file "$DOVECOT_DIR/certs/ca.crt" \
        --user "$DOVECOT_USER" --password-file "$(ndr_password_file)"
}

# The [imap] section of an agent.toml for this Dovecot over implicit TLS with the test CA (10 s timeout);
# further keys of the section may follow it.
ndr_imap_toml() {
    cat <<TOML
[imap]
host = "127.0.0.1"
port = $DOVECOT_TLS_PORT
tls = "implicit"
ca_file = "$DOVECOT_DIR/certs/ca.crt"
user = "$DOVECOT_USER"
password_file = "$(ndr_password_file)"
timeout_seconds = 10
TOML
}

# A top-level number from `--json` output: ndr_json_num FILE FIELD.
ndr_json_num() {
    sed -n "s/^  \"$2\": \\([0-9]*\\).*/\\1/p" "$1"
}

# A running Dovecot whose INBOX holds N fixture variants (ndr_make_variants), for the fault tests:
#   dovecot_with_variants N IMAP_PORT IMAPS_PORT WORKDIR   (the messages are written to WORKDIR/msgs)
dovecot_with_variants() {
    dovecot_setup "$2" "$3"
    dovecot_start
    ndr_make_variants "$1" "$4/msgs"
    dovecot_deliver_dir "$4/msgs"
}

# A running Dovecot whose INBOX holds every fixture bounce (fixtures/ndr/**/*.eml), delivered in name
# order; sets FIXTURES (the files) and TOTAL (their number):
#   dovecot_with_fixtures IMAP_PORT IMAPS_PORT
dovecot_with_fixtures() {
    dovecot_setup "$1" "$2"
    dovecot_start
    mapfile -t FIXTURES < <(find "${NDR_SOURCE_DIR:-$(cd "$NDR_TEST_LIB_DIR/../../.." && pwd)}/fixtures/ndr" -name '*.eml' | sort)
    TOTAL=${#FIXTURES[@]}
    ((TOTAL > 5)) || { echo "FAIL: want fixtures in fixtures/ndr, found $TOTAL" >&2; return 1; }
    dovecot_deliver "${FIXTURES[@]}"
}

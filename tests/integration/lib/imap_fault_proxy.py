#!/usr/bin/env python3
"""imap_fault_proxy.py — a plaintext IMAP proxy on 127.0.0.1 that misbehaves, for fault_imap.sh.

    imap_fault_proxy.py LISTEN_PORT UPSTREAM_PORT CONTROL_FILE

Relays every connection to the real server on 127.0.0.1:UPSTREAM_PORT. CONTROL_FILE holds one line,
"MODE COUNT AFTER_BYTES", read at each new connection: while COUNT > 0, the connection is faulted and
COUNT is decreased; "off" (or COUNT 0) relays faithfully. The fault begins once the client has sent a
UID FETCH of message bodies (BODY.PEEK[]) and AFTER_BYTES bytes of the server's answer to it have
been relayed:

    drop       both sockets are closed at once (the connection drops mid-fetch)
    stall      nothing more is relayed either way, the sockets stay open (the server answers nothing)
    malformed  a response line the protocol does not allow is sent, then the real stream goes on
    bye        an untagged BYE and the connection closes (the server shuts down mid-fetch)
Each fault applied is logged to CONTROL_FILE.log as "MODE" (one line each).

One more mode injects nothing: `trace` logs to CONTROL_FILE.log each UID FETCH of message bodies the
client sends ("C <tag> FETCH <uid set>"; a CAPABILITY command as "C CAPABILITY", a SELECT and a
listing read together as "C SELECT with listing", with the keyword search as "C SELECT with
search") and tells whether
the client pipelines them: the server's tagged reply to the first one is held back until the client
has sent a second one ("ahead"), or for at most 1.5 s ("waited": the client waited for that reply
before asking for more).

And `late` answers as Dovecot does a client that sent several FETCHes at once: the messages at once,
the tagged replies to body FETCHes only later. They are held back until the client sends any other
command ("late: released": it went on with the messages it had) or for at most 1.5 s ("late: waited":
it waited for a tagged reply before using the messages that had arrived).
"""
import re
import socket
import sys
import threading

LISTEN, UPSTREAM, CONTROL = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()

MALFORMED = (b"* 1 FETCH (UID 1 BODY[] {18446744073709551617}\r\n"
             b"* 2 FETCH ((((((((((((((((((((((((((((((((((UID 2))))))))))))))))))))))))))))))))))\r\n")


def take_fault():
    with lock:
        try:
            mode, count, after = open(CONTROL).read().split()
            count, after = int(count), int(after)
        except (OSError, ValueError):
            return None, 0
        if mode == "off" or count <= 0:
            return None, 0
        with open(CONTROL, "w") as f:
            f.write(f"{mode} {count - 1} {after}\n")
        return mode, after


def log_fault(mode):
    with lock, open(CONTROL + ".log", "a") as f:
        f.write(mode + "\n")


FETCH_LINE = re.compile(rb"^(\S+) UID FETCH (\S+) .*BODY\.PEEK\[\]", re.M)


class Tracer:
    """For `trace`: the body FETCHes the client sends, and the hold on the first one's reply."""

    def __init__(self):
        self.rest = b""          # client bytes after the last complete line
        self.tail = b""          # the end of the server's bytes, for a reply line split across reads
        self.tags = []           # tags of the body FETCHes, in the order sent
        self.second = threading.Event()
        self.released = False

    def client(self, data):
        text = self.rest + data
        cut = text.rfind(b"\n") + 1
        self.rest = text[cut:][-4096:]
        if re.search(rb"(?m)^\S+ CAPABILITY\r?$", text[:cut]):
            log_fault("C CAPABILITY")
        if re.search(rb"(?m)^\S+ SELECT ", data):  # and in the same read (sent together):
            if re.search(rb"(?m)^\S+ UID FETCH \S+ \(UID RFC822\.SIZE\)", data):
                log_fault("C SELECT with listing")
            if re.search(rb"(?m)^\S+ UID SEARCH UNKEYWORD ", data):
                log_fault("C SELECT with search")
        for m in FETCH_LINE.finditer(text[:cut]):
            tag, uids = (g.decode("ascii", "replace") for g in m.groups())
            log_fault(f"C {tag} FETCH {uids}")
            self.tags.append(tag)
            if len(self.tags) >= 2:
                self.second.set()

    def server(self, data):  # called before `data` is relayed
        if self.released or not self.tags:
            return
        text = self.tail + data
        self.tail = text[-64:]
        if re.search(rb"(?:^|\n)" + re.escape(self.tags[0].encode()) + rb" (?:OK|NO|BAD)", text):
            self.released = True
            log_fault("ahead" if self.second.wait(1.5) else "waited")


class Responses:
    """Splits the server's byte stream into whole responses (a line, and the literals {n} announced at
    its line ends with the lines that follow them): held replies are put back only between two."""

    LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")

    def __init__(self):
        self.buf = b""
        self.start = 0      # where the response being read began in buf
        self.pos = 0        # how far buf has been read
        self.literal = 0    # bytes of a literal still to come

    def feed(self, data):
        """Returns the responses completed by `data`."""
        self.buf += data
        done = []
        while True:
            if self.literal:
                take = min(self.literal, len(self.buf) - self.pos)
                self.pos += take
                self.literal -= take
                if self.literal:
                    break
            end = self.buf.find(b"\r\n", self.pos)
            if end < 0:
                break
            line_end = end + 2
            m = self.LITERAL.search(self.buf, self.pos, line_end)
            self.pos = line_end
            if m:
                self.literal = int(m.group(1))
                continue
            done.append(self.buf[self.start:self.pos])
            self.start = self.pos
        self.buf = self.buf[self.start:]
        self.pos -= self.start
        self.start = 0
        return done


class Late:
    """For `late`: holds the tagged replies to body FETCHes until the client sends another command."""

    def __init__(self, conn):
        self.conn = conn
        self.responses = Responses()
        self.rest = b""
        self.fetch_tags = set()
        self.held = []
        self.timer = None
        self.logged = False

    def client(self, data):  # called before `data` is relayed
        text = self.rest + data
        cut = text.rfind(b"\n") + 1
        self.rest = text[cut:][-4096:]
        for line in text[:cut].splitlines():
            m = FETCH_LINE.match(line)
            if m:
                self.fetch_tags.add(m.group(1))
            elif line.strip():
                self.release("late: released")

    def server(self, data):  # relays `data`, holding back the tagged replies to body FETCHes
        for r in self.responses.feed(data):
            tag = r.split(b" ", 1)[0]
            if tag in self.fetch_tags and re.match(rb"\S+ (?:OK|NO|BAD)", r):
                with self.conn.send_lock:
                    self.held.append(r)
                    if self.timer is None:
                        self.timer = threading.Timer(1.5, self.release, ("late: waited",))
                        self.timer.daemon = True
                        self.timer.start()
                continue
            with self.conn.send_lock:
                self.conn.client.sendall(r)

    def release(self, why):
        with self.conn.send_lock:
            if not self.held:
                return
            if not self.logged:
                log_fault(why)
                self.logged = True
            for r in self.held:
                self.conn.client.sendall(r)
            self.held = []
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None


class Conn:
    def __init__(self, client):
        self.client = client
        self.server = socket.create_connection(("127.0.0.1", UPSTREAM))
        self.mode, self.after = take_fault()
        self.tracer = None
        self.late = None
        self.send_lock = threading.RLock()
        if self.mode == "trace":
            self.mode = None
            self.tracer = Tracer()
        elif self.mode == "late":
            self.mode = None
            self.late = Late(self)
        self.fetching = threading.Event()
        self.stalled = threading.Event()
        self.closed = False

    def close(self):
        self.closed = True
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def up(self):  # client -> server
        buf = b""
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                buf = (buf + data)[-4096:]
                if self.tracer:
                    self.tracer.client(data)
                if self.late:
                    self.late.client(data)
                if b"UID FETCH" in buf and b"BODY.PEEK[]" in buf:
                    self.fetching.set()
                if self.stalled.is_set():
                    continue
                self.server.sendall(data)
        except OSError:
            pass
        if not self.stalled.is_set():
            self.close()

    def down(self):  # server -> client
        relayed = 0
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                if self.tracer:
                    self.tracer.server(data)
                if self.late:
                    self.late.server(data)
                    continue
                if self.mode and self.fetching.is_set():
                    room = self.after - relayed
                    if room < len(data):
                        head, data = data[:max(room, 0)], data[max(room, 0):]
                        self.client.sendall(head)
                        self.fault(data)
                        if self.mode in ("drop", "stall", "bye"):
                            return
                        self.mode = None
                    relayed += len(data)
                self.client.sendall(data)
        except OSError:
            pass
        if not self.stalled.is_set():
            self.close()

    def fault(self, rest):
        log_fault(self.mode)
        if self.mode == "drop":
            self.close()
        elif self.mode == "stall":
            self.stalled.set()  # keeps both sockets open and relays nothing; the client times out
        elif self.mode == "bye":
            self.client.sendall(b"\r\n* BYE server shutting down\r\n")
            self.close()
        elif self.mode == "malformed":
            # Ends any line in progress, then lines no IMAP server may send (a literal over every cap,
            # nesting past the parser's limit).
            self.client.sendall(b"\r\n" + MALFORMED)


def serve(client):
    try:
        c = Conn(client)
    except OSError:
        client.close()
        return
    threading.Thread(target=c.up, daemon=True).start()
    c.down()


sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", LISTEN))
sock.listen(16)
print("ready", flush=True)
while True:
    conn, _ = sock.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()

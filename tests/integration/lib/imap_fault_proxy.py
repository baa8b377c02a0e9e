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
client sends ("C <tag> FETCH <uid set>") and tells whether the client pipelines them: the server's
tagged reply to the first one is held back until the client has sent a second one ("ahead"), or for
at most 1.5 s ("waited": the client waited for that reply before asking for more).
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


class Conn:
    def __init__(self, client):
        self.client = client
        self.server = socket.create_connection(("127.0.0.1", UPSTREAM))
        self.mode, self.after = take_fault()
        self.tracer = None
        if self.mode == "trace":
            self.mode = None
            self.tracer = Tracer()
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

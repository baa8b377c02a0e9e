#!/usr/bin/env python3
"""delay_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS — a TCP relay on 127.0.0.1 that delivers every
chunk DELAY_MS after it was read, in each direction: a link with a round trip of 2 x DELAY_MS, for
bench/imap. Bytes are relayed as they are (TLS passes through). Prints "ready" once listening.
"""
import queue
import socket
import sys
import threading
import time

LISTEN, UPSTREAM, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000.0


def pump(src, dst):
    chunks = queue.Queue()

    def deliver():
        while True:
            read_at, data = chunks.get()
            if data is None:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            wait = read_at + DELAY - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                dst.sendall(data)
            except OSError:
                return

    threading.Thread(target=deliver, daemon=True).start()
    while True:
        try:
            data = src.recv(262144)
        except OSError:
            data = b""
        chunks.put((time.monotonic(), data or None))
        if not data:
            return


def serve(client):
    try:
        server = socket.create_connection(("127.0.0.1", UPSTREAM))
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=pump, args=(client, server), daemon=True).start()
    threading.Thread(target=pump, args=(server, client), daemon=True).start()


sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", LISTEN))
sock.listen(16)
print("ready", flush=True)
while True:
    conn, _ = sock.accept()
    serve(conn)

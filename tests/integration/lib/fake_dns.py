#!/usr/bin/env python3
"""fake_dns.py — a misbehaving DNS server on 127.0.0.1 for tests/integration/fault_dns.sh.

    fake_dns.py PORT LOG

Answers on UDP and TCP on 127.0.0.1:PORT. What it does with a query depends on the first label of the
query name, i.e. the last octet of the IPv4 address looked up in a DNSBL (1.2.0.192.zone -> "1"):

    10  listed: 127.0.0.2 (UDP and TCP)              11  not listed: NXDOMAIN
    1   SERVFAIL                                     2   REFUSED
    3   truncated: TC bit, no answer over UDP; the full answer (127.0.0.2) over TCP only
    4   truncated in the middle: the datagram stops inside the answer record
    5   timeout: never answers
    6   garbage: random bytes with the query's ID in front
    7   an A record whose RDLENGTH is 3
    8   a name compression pointer to itself (a loop)
    9   an answer with an ID that does not match the query (must be ignored: a timeout)
    12  a header only, claiming 5 answers
    13  TC bit over UDP and a truncated TCP answer too
Anything else: NXDOMAIN. Every query is appended to LOG as "proto type name" (one line each, type A or a number), so a test
can count how often each name was asked.
"""
import os
import random
import socket
import struct
import sys
import threading

PORT = int(sys.argv[1])
LOG = sys.argv[2]
lock = threading.Lock()


def log(proto, name, qtype):
    with lock, open(LOG, "a") as f:
        f.write(f"{proto} {'A' if qtype == 1 else qtype} {name}\n")


def parse_query(q):
    """(id, flags, qname, question bytes) or None."""
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if qd != 1:
        return None
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    question = q[12:i + 5]
    return qid, flags, ".".join(labels), question


def header(qid, rcode=0, tc=False, an=0, qd=1):
    flags = 0x8000 | 0x0400 | (0x0100) | rcode  # QR, AA, RD
    if tc:
        flags |= 0x0200
    return struct.pack("!HHHHHH", qid, flags, qd, an, 0, 0)


def a_record(addr, rdlen=None):
    rdata = socket.inet_aton(addr)
    if rdlen is not None:
        rdata = rdata[:rdlen]
    return b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, len(rdata) if rdlen is None else rdlen) + rdata


def answer(q, proto):
    parsed = parse_query(q)
    if parsed is None:
        return None
    qid, _flags, name, question = parsed
    qtype = struct.unpack("!H", question[-4:-2])[0] if len(question) >= 4 else 1
    log(proto, name, qtype)
    mode = name.split(".", 1)[0]
    listed = header(qid, an=1) + question + a_record("127.0.0.2")
    if qtype != 1:  # TXT and anything else: no data
        return header(qid) + question
    if mode == "10":
        return listed
    if mode == "1":
        return header(qid, rcode=2) + question
    if mode == "2":
        return header(qid, rcode=5) + question
    if mode == "3":
        return listed if proto == "tcp" else header(qid, tc=True) + question
    if mode == "4":
        return listed[:-3]
    if mode == "5":
        return None
    if mode == "6":
        return struct.pack("!H", qid) + os.urandom(random.randint(0, 60))
    if mode == "7":
        return header(qid, an=1) + question + a_record("127.0.0.2", rdlen=3)
    if mode == "8":
        return header(qid, an=1) + question + b"\xc0" + bytes([12 + len(question)]) + struct.pack("!HHIH", 1, 1, 60, 4) + b"\x7f\x00\x00\x02"
    if mode == "9":
        return header((qid + 1) & 0xFFFF, an=1) + question + a_record("127.0.0.2")
    if mode == "12":
        return header(qid, an=5) + question
    if mode == "13":
        return listed[:-6] if proto == "tcp" else header(qid, tc=True) + question
    return header(qid, rcode=3) + question


def udp_loop(sock):
    while True:
        q, peer = sock.recvfrom(4096)
        r = answer(q, "udp")
        if r is not None:
            sock.sendto(r, peer)


def tcp_client(conn):
    with conn:
        conn.settimeout(5)
        try:
            while True:
                head = conn.recv(2)
                if len(head) < 2:
                    return
                (n,) = struct.unpack("!H", head)
                q = b""
                while len(q) < n:
                    chunk = conn.recv(n - len(q))
                    if not chunk:
                        return
                    q += chunk
                r = answer(q, "tcp")
                if r is None:
                    continue
                conn.sendall(struct.pack("!H", len(r)) + r)
        except OSError:
            return


def tcp_loop(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_client, args=(conn,), daemon=True).start()


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", PORT))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.1", PORT))
tcp.listen(16)
threading.Thread(target=tcp_loop, args=(tcp,), daemon=True).start()
print("ready", flush=True)
udp_loop(udp)

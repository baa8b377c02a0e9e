#!/usr/bin/python3
"""smtpd.py — a throwaway receiving SMTP server on loopback for tests/integration/smtp_send.sh
(Debian's python3-aiosmtpd). Each accepted message is written to OUT/msg-N.eml exactly as received
(after SMTP dot-unstuffing) and OUT/msg-N.json (envelope, TLS, authenticated user). OUT/ready appears
once the server answers. Stops on SIGTERM.

  smtpd.py --port P --out DIR [--mode plain|starttls|implicit] [--cert C --key K]
           [--user U --password-file F]
"""
import argparse
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["plain", "starttls", "implicit"], default="plain")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    a = ap.parse_args()
    count = [0]
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                count[0] += 1
                n = count[0]
            base = os.path.join(a.out, "msg-%d" % n)
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content)
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                "user": session.auth_data.login.decode() if session.authenticated and isinstance(session.auth_data, LoginPassword) else None,
            }
            with open(base + ".json", "w") as f:
                json.dump(meta, f)
            return "250 OK queued as test-%d" % n

    password = None
    if a.password_file:
        with open(a.password_file, "rb") as f:
            password = f.read().strip()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user and auth_data.password == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    ctx = None
    if a.mode != "plain":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    kwargs = {}
    if a.user:
        kwargs["authenticator"] = authenticator
        kwargs["auth_require_tls"] = a.mode != "plain"
    if a.mode == "starttls":
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = True
    controller = Controller(Handler(), hostname="127.0.0.1", port=a.port,
                            ssl_context=ctx if a.mode == "implicit" else None, **kwargs)
    controller.start()
    open(os.path.join(a.out, "ready"), "w").close()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait(600)
    controller.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A Standard Webhooks receiver for tests (standard library only): verifies
every delivery's signature on its own (hmac + base64, independently of
Portico's C++ code), records it, and answers with a scripted status per
attempt of the same webhook-id.

  python3 webhook_receiver.py --out FILE --secret-file FILE [--port 0]
                              [--statuses 500,500,200] [--tolerance 300]

Binds 127.0.0.1, prints "PORT <n>" as the first stdout line and flushes.
The secret ("whsec_" + base64 key, as `portico webhook add` prints it) is
read from --secret-file at each request, so a test can start the receiver,
register its URL, then write the secret it was given.

A delivery verifies when webhook-id, webhook-timestamp and webhook-signature
are present, the timestamp is within --tolerance seconds of this machine's
clock, and one "v1,<base64>" entry of the space-separated signature list
equals base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
Unverified deliveries get 401. A verified delivery whose webhook-id has been
seen n times before (this one included: attempt n) gets statuses[n-1], the
last status repeating (default: 200 for all).

Every request is appended to FILE as one JSON line, flushed BEFORE the
response is sent:
  {"seq": 1, "path": "/hook", "webhook_id": "msg_…", "attempt": 1,
   "timestamp": "1767225600", "verified": true, "error": "",
   "status": 500, "content_type": "application/json", "body": "<text>"}
Exits 0 on SIGTERM or SIGINT, and on its own once its parent has gone.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret, msg_id, timestamp, signature, body, tolerance):
    """Returns "" when the delivery is authentic, else why not."""
    if not msg_id or not timestamp or not signature:
        return "missing webhook header"
    if not secret.startswith("whsec_"):
        return "no whsec_ secret configured"
    try:
        key = base64.b64decode(secret[len("whsec_"):], validate=True)
    except (binascii.Error, ValueError):
        return "secret is not base64"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "timestamp is not an integer"
    if abs(time.time() - sent_at) > tolerance:
        return "timestamp outside tolerance"
    signed = ("%s.%s." % (msg_id, timestamp)).encode("utf-8") + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
    for entry in signature.split(" "):
        version, _, value = entry.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return ""
    return "no matching v1 signature"


class Receiver:
    def __init__(self, out_path, secret_path, statuses, tolerance):
        self.out_path = out_path
        self.secret_path = secret_path
        self.statuses = statuses
        self.tolerance = tolerance
        self.lock = threading.Lock()
        self.count = 0
        self.attempts = {}

    def secret(self):
        try:
            with open(self.secret_path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            return ""

    def handle(self, path, headers, body):
        """Verifies, records, and returns the status to answer."""
        msg_id = headers.get("webhook-id", "")
        timestamp = headers.get("webhook-timestamp", "")
        error = verify(self.secret(), msg_id, timestamp, headers.get("webhook-signature", ""),
                       body, self.tolerance)
        with self.lock:
            self.count += 1
            attempt = 0
            status = 401
            if not error:
                attempt = self.attempts.get(msg_id, 0) + 1
                self.attempts[msg_id] = attempt
                status = self.statuses[min(attempt - 1, len(self.statuses) - 1)]
            entry = {
                "seq": self.count, "path": path, "webhook_id": msg_id, "attempt": attempt,
                "timestamp": timestamp, "verified": not error, "error": error,
                "status": status, "content_type": headers.get("content-type", ""),
                "body": body.decode("utf-8", "replace"),
            }
            with open(self.out_path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
                out.flush()
            return status


def make_handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep test output quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver.handle(self.path, headers, body)
            data = b"{}"
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def parse_statuses(text):
    statuses = [int(s) for s in text.split(",") if s.strip()]
    if not statuses or any(s < 100 or s > 599 for s in statuses):
        raise argparse.ArgumentTypeError("statuses must be HTTP codes, e.g. 500,500,200")
    return statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True, help="JSON-lines file of received deliveries")
    parser.add_argument("--secret-file", required=True, help="file holding the whsec_ secret")
    parser.add_argument("--statuses", type=parse_statuses, default=[200])
    parser.add_argument("--tolerance", type=int, default=300)
    args = parser.parse_args()

    open(args.out, "a").close()  # exists (empty) before the first request
    receiver = Receiver(args.out, args.secret_file, args.statuses, args.tolerance)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(receiver))
    server.daemon_threads = True

    def on_signal(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.stdout.write("PORT %d\n" % server.server_address[1])
    sys.stdout.flush()

    def watch_parent(parent):
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A real HTTP server for tests (standard library only): records every request
and answers with a scripted sequence of statuses. Stands in for an outbound
HTTP dependency (mail API, webhook receiver, CAPTCHA verifier).

  python3 http_recorder.py --out FILE [--port 0] [--statuses 500,500,200]
                           [--error-body JSON] [--header NAME:VALUE]... [--delay SECONDS]

Binds 127.0.0.1, prints "PORT <n>" as the first stdout line and flushes.
Request i (0-based, any method and path) gets status statuses[i], the last
status repeating once the list is used up (default: 200 for all). Every
request is appended to FILE as one JSON line, flushed BEFORE the response is
sent (a client that has its answer can read the record):
  {"seq": 1, "method": "POST", "path": "/emails?x=1",
   "headers": {"content-type": "application/json", …},  # names lower-cased
   "body": "<UTF-8 text, invalid bytes replaced>", "body_base64": "<exact bytes>"}
Response body: 2xx → {"id": "rec-<seq>"}; otherwise --error-body if given,
else {"statusCode": <s>, "name": "recorded_error", "message": "status <s> from
http_recorder"}. --header adds a response header to every answer (e.g.
Retry-After:7). --delay sleeps before answering (timeout tests).
Exits 0 on SIGTERM or SIGINT, and on its own once its parent has gone (so a
crashed test leaves no server behind).
"""

import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    def __init__(self, out_path, statuses, error_body, extra_headers, delay):
        self.out_path = out_path
        self.statuses = statuses
        self.error_body = error_body
        self.extra_headers = extra_headers
        self.delay = delay
        self.lock = threading.Lock()
        self.count = 0

    def record(self, entry):
        """Assigns the sequence number, appends the line, returns (seq, status)."""
        with self.lock:
            self.count += 1
            seq = self.count
            status = self.statuses[min(seq - 1, len(self.statuses) - 1)]
            entry = dict(seq=seq, **entry)
            with open(self.out_path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
                out.flush()
            return seq, status


def make_handler(recorder):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep test output quiet
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = {}
            for name, value in self.headers.items():
                key = name.lower()
                headers[key] = headers[key] + ", " + value if key in headers else value
            seq, status = recorder.record({
                "method": self.command,
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", "replace"),
                "body_base64": base64.b64encode(body).decode("ascii"),
            })
            if recorder.delay > 0:
                time.sleep(recorder.delay)
            if 200 <= status < 300:
                payload = {"id": "rec-%d" % seq}
            elif recorder.error_body is not None:
                payload = recorder.error_body
            else:
                payload = {"statusCode": status, "name": "recorded_error",
                           "message": "status %d from http_recorder" % status}
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in recorder.extra_headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its timeout): nothing to answer

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

    return Handler


def parse_statuses(text):
    statuses = [int(s) for s in text.split(",") if s.strip()]
    if not statuses or any(s < 100 or s > 599 for s in statuses):
        raise argparse.ArgumentTypeError("statuses must be HTTP codes, e.g. 500,500,200")
    return statuses


def parse_header(text):
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError("header must be NAME:VALUE")
    return name.strip(), value.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True, help="JSON-lines file of recorded requests")
    parser.add_argument("--statuses", type=parse_statuses, default=[200])
    parser.add_argument("--error-body", type=json.loads, default=None)
    parser.add_argument("--header", type=parse_header, action="append", default=[])
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    open(args.out, "a").close()  # exists (empty) before the first request
    recorder = Recorder(args.out, args.statuses, args.error_body, args.header, args.delay)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(recorder))
    server.daemon_threads = True

    def on_signal(signum, frame):
        raise SystemExit(0)

    # Handlers before the PORT line: a test may stop the server right after it.
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

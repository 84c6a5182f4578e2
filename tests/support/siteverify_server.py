#!/usr/bin/python3
"""A real CAPTCHA siteverify server for tests (standard library only): speaks
the protocol hCaptcha, Cloudflare Turnstile and Google reCAPTCHA share.

  python3 siteverify_server.py --provider hcaptcha|turnstile|recaptcha
                               --secret SECRET --out FILE [--port 0]
                               [--path /siteverify] [--hostname HOST]

Binds 127.0.0.1, prints "PORT <n>" as the first stdout line and flushes.

Every request is checked the way the provider would: POST to --path, body
application/x-www-form-urlencoded, each field at most once, `secret` and
`response` present, no field the provider does not define (hcaptcha: secret,
response, remoteip, sitekey; turnstile: secret, response, remoteip,
idempotency_key; recaptcha: secret, response, remoteip). A breach answers
400 {"success": false, "error-codes": ["bad-request"]}; a wrong secret
answers 200 with "invalid-input-secret". The parsed form is appended to FILE
as one JSON line ({"path", "content_type", "form": {name: value}}), flushed
before the answer.

The token (`response`) scripts the answer, as ';'-separated directives:
  ok                    success (hostname --hostname, challenge_ts now)
  fail=c1,c2            success false with error-codes c1, c2
  host=H                answer hostname H
  score=S               answer score S (a number)
  action=A              answer action A
  nohost                leave hostname out
  delay=SECONDS         sleep before answering (timeout tests)
  status=N              answer HTTP N (e.g. 500, 429) with a rejection body
                        {"success": false, "error-codes": ["scripted-status"]}
  garbage               answer 200 with a body that is not JSON
  huge=BYTES            answer 200 with valid JSON padded to BYTES bytes
e.g. "ok;host=evil.example;score=0.2". An unknown directive is a bad request.
Exits 0 on SIGTERM or SIGINT, and on its own once its parent has gone.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

FIELDS = {
    "hcaptcha": {"secret", "response", "remoteip", "sitekey"},
    "turnstile": {"secret", "response", "remoteip", "idempotency_key"},
    "recaptcha": {"secret", "response", "remoteip"},
}


class BadRequest(Exception):
    pass


def parse_script(token):
    """The directives of a token, as a dict; BadRequest when unknown."""
    script = {}
    for part in token.split(";"):
        name, _, value = part.partition("=")
        if name in ("ok", "garbage", "nohost") and not value:
            script[name] = True
        elif name == "fail":
            script[name] = [c for c in value.split(",") if c]
        elif name in ("host", "action"):
            script[name] = value
        elif name in ("score", "delay"):
            script[name] = float(value)
        elif name in ("status", "huge"):
            script[name] = int(value)
        else:
            raise BadRequest("unknown directive %r" % part)
    return script


def make_handler(args, lock):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *log_args):  # keep test output quiet
            pass

        def answer(self, status, payload=None, raw=None):
            data = raw if raw is not None else json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def record(self, form):
            entry = {"path": self.path, "content_type": self.headers.get("Content-Type", ""),
                     "form": form}
            with lock:
                with open(args.out, "a", encoding="utf-8") as out:
                    out.write(json.dumps(entry) + "\n")
                    out.flush()

        def do_GET(self):
            self.answer(405, {"success": False, "error-codes": ["bad-request"]})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            try:
                if self.path != args.path:
                    raise BadRequest("path")
                content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
                if content_type.lower() != "application/x-www-form-urlencoded":
                    raise BadRequest("content type")
                pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True,
                                  strict_parsing=bool(body))
                form = {}
                for name, value in pairs:
                    if name in form or name not in FIELDS[args.provider]:
                        raise BadRequest("field %s" % name)
                    form[name] = value
                self.record(form)
                if "secret" not in form or "response" not in form:
                    raise BadRequest("missing field")
                if form["secret"] != args.secret:
                    self.answer(200, {"success": False, "error-codes": ["invalid-input-secret"]})
                    return
                script = parse_script(form["response"])
            except (BadRequest, ValueError, UnicodeDecodeError):
                self.answer(400, {"success": False, "error-codes": ["bad-request"]})
                return

            if "delay" in script:
                time.sleep(script["delay"])
            if "status" in script:
                # A body that reads as a plain rejection: only the status says "try later".
                self.answer(script["status"],
                            {"success": False, "error-codes": ["scripted-status"]})
                return
            if script.get("garbage"):
                self.answer(200, raw=b"<html>not json</html>")
                return
            payload = {"success": "fail" not in script and bool(script.get("ok")),
                       "error-codes": script.get("fail", [])}
            if payload["success"]:
                payload["challenge_ts"] = datetime.now(timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
                if not script.get("nohost"):
                    payload["hostname"] = script.get("host", args.hostname)
                if "score" in script:
                    payload["score"] = script["score"]
                if "action" in script:
                    payload["action"] = script["action"]
            if "huge" in script:
                data = json.dumps(payload).encode("utf-8")
                padding = max(0, script["huge"] - len(data))
                data = data[:-1] + b', "pad": "' + b"x" * padding + b'"}'
                self.answer(200, raw=data)
                return
            self.answer(200, payload)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--provider", choices=sorted(FIELDS), required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--out", required=True, help="JSON-lines file of received forms")
    parser.add_argument("--path", default="/siteverify")
    parser.add_argument("--hostname", default="app.example.com")
    args = parser.parse_args()

    open(args.out, "a").close()  # exists (empty) before the first request
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, threading.Lock()))
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

#!/usr/bin/python3
"""A real SMTP server for tests: accepts mail on 127.0.0.1 and writes each
message to a file, so a test can assert on exactly what a client sent.

Run with Debian's interpreter (it has python3-aiosmtpd), not a pyenv one:

  /usr/bin/python3 smtp_sink.py --port 0 --dir DIR [--reject-first N] [--auth USER:PASS]
                                [--reject-rcpt ADDRESS]... [--idle-timeout SECONDS]
                                [--drop-after N] [--cut-data N]

Prints "PORT <n>" (the bound port) as the first stdout line and flushes.
Each accepted message becomes DIR/<n>.eml (n = 1, 2, … in order of
acceptance): one envelope line "X-Sink-Envelope: from=<a> to=<b>,<c>
[auth=<user>] conn=<k>" followed by the raw DATA as received (dot-unstuffed by
the server, CRLF line endings kept); k numbers the client's connections
(1, 2, … in order of arrival), so a test sees which messages shared one. The
file is complete before the server answers 250, so a client that saw success
can read it at once. A connection takes any number of messages, as RFC 5321
allows.

--reject-first N answers the first N messages with "451" at the end of DATA
(a transient failure; nothing is written). --reject-rcpt answers "550" (a
permanent failure) to RCPT TO for that address (repeatable). --auth
USER:PASS offers AUTH PLAIN/LOGIN without TLS and accepts only that pair
(535 otherwise). --idle-timeout closes a connection that has been idle for
that long (aiosmtpd's timeout; 300 s by default), as servers do.
--drop-after N closes a connection without a reply when a MAIL command
arrives on it after N accepted messages, as a server that restarted or went
away would. --cut-data N closes the connection instead of answering the end
of DATA of the N-th message (counted over all connections), so the client
never learns whether it was accepted (it was not: nothing is written).
Exits 0 on SIGTERM or SIGINT, and on its own once its parent has gone (so a
crashed test leaves no server behind).
"""

import argparse
import asyncio
import logging
import os
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd itself sets its deprecated Session.login_data on AUTH and logs a
# warning about it to the "mail.log" logger; keep test output clean.
logging.getLogger("mail.log").addFilter(
    lambda record: "login_data is deprecated" not in record.getMessage())


class SinkSMTP(SMTP):
    """aiosmtpd's server, numbered per connection, able to hang up mid-session."""

    def __init__(self, handler, number, drop_after, **kwargs):
        super().__init__(handler, **kwargs)
        self.number = number
        self.drop_after = drop_after
        self.accepted_here = 0
        self.hang_up = False  # set by the handler: close instead of the next reply

    async def push(self, status):
        if self.hang_up:
            self.transport.abort()
            return
        await super().push(status)

    async def smtp_MAIL(self, arg):
        if self.drop_after and self.accepted_here >= self.drop_after:
            self.transport.abort()
            return
        await super().smtp_MAIL(arg)


class SinkHandler:
    def __init__(self, directory, reject_first, reject_rcpts, cut_data):
        self.directory = directory
        self.reject_remaining = reject_first
        self.reject_rcpts = {r.lower() for r in reject_rcpts}
        self.cut_data = cut_data
        self.data_ends = 0
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_rcpts:
            return "550 5.1.1 Sink: recipient rejected by --reject-rcpt"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_ends += 1
        if self.data_ends == self.cut_data:
            server.hang_up = True
            return "451 4.3.0 Sink: never sent (the connection is cut instead)"
        if self.reject_remaining > 0:
            self.reject_remaining -= 1
            return "451 4.3.0 Sink: transient failure requested by --reject-first"
        self.accepted += 1
        recipients = ",".join("<%s>" % r for r in envelope.rcpt_tos)
        line = "X-Sink-Envelope: from=<%s> to=%s" % (envelope.mail_from, recipients)
        login = getattr(session, "auth_data", None)
        if isinstance(login, LoginPassword):
            line += " auth=<%s>" % login.login.decode("utf-8", "replace")
        line += " conn=%d" % server.number
        content = envelope.original_content or b""
        final = os.path.join(self.directory, "%d.eml" % self.accepted)
        partial = final + ".partial"
        with open(partial, "wb") as out:
            out.write(line.encode("utf-8") + b"\r\n")
            out.write(content)
        # Rename so a reader never sees half a message.
        os.replace(partial, final)
        server.accepted_here += 1
        return "250 2.0.0 Message accepted for delivery"


def make_authenticator(expected_user, expected_password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = (auth_data.login == expected_user.encode("utf-8")
              and auth_data.password == expected_password.encode("utf-8"))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return authenticate


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = SinkHandler(args.dir, args.reject_first, args.reject_rcpt, args.cut_data)
    smtp_options = {"hostname": "sink.localhost"}  # avoids a slow getfqdn() lookup
    if args.idle_timeout:
        smtp_options["timeout"] = args.idle_timeout
    if args.auth:
        user, _, password = args.auth.partition(":")
        smtp_options.update(authenticator=make_authenticator(user, password),
                            auth_require_tls=False)

    connections = 0

    def new_connection():
        nonlocal connections
        connections += 1
        return SinkSMTP(handler, connections, args.drop_after, **smtp_options)

    server = await loop.create_server(new_connection, host="127.0.0.1", port=args.port)
    # Handlers before the PORT line: a test may stop the server right after it.
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()

    async def watch_parent(parent):
        while os.getppid() == parent:
            await asyncio.sleep(1)
        stop.set()

    watchdog = asyncio.create_task(watch_parent(os.getppid()))
    await stop.wait()
    watchdog.cancel()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True, help="folder for the received .eml files")
    parser.add_argument("--reject-first", type=int, default=0, metavar="N")
    parser.add_argument("--auth", default="", metavar="USER:PASS")
    parser.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDRESS")
    parser.add_argument("--idle-timeout", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--drop-after", type=int, default=0, metavar="N")
    parser.add_argument("--cut-data", type=int, default=0, metavar="N")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

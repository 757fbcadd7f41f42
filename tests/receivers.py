"""Real receivers on loopback for notification tests: an SMTP server and an HTTP endpoint.

The fixtures `http_receiver` and `smtp_receiver` in tests/conftest.py start and stop them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpReceiver:
    """Records every POST (path and JSON body); can answer slowly or with an error."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.delay = 0.0
        self.status = 200
        self.reason: str | None = None  # the status line's phrase (None: the standard one)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests held at once: a parallel sender's mark
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver.lock:  # counted on arrival: a killed sender still delivered it
                    receiver.received.append((self.path, body))
                    receiver.in_flight += 1
                    receiver.most_in_flight = max(receiver.most_in_flight, receiver.in_flight)
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.in_flight -= 1
                self.send_response(receiver.status, receiver.reason)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def messages(self) -> list[str]:
        with self.lock:
            return [body.get("message", "") for _, body in self.received]


class SmtpReceiver:
    """An aiosmtpd server that keeps every message it accepts (or, with `refuse`, refuses every
    recipient with a 550 and keeps nothing)."""

    def __init__(self, refuse: bool = False) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.refused: list[str] = []
        self.peers: list[tuple] = []  # the client's address of each message: one per connection
        receiver = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
                if refuse:
                    receiver.refused.append(address)
                    return "550 5.7.1 Recipient refused by policy"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.peers.append(tuple(session.peer))
                receiver.messages.append(
                    (list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        self.handler = Handler()
        self.port = 0
        self.controller = None

    def start(self, attempts: int = 5) -> None:
        """aiosmtpd needs a port number up front: take a free one, and another if it was taken."""
        from aiosmtpd.controller import Controller

        for attempt in range(attempts):
            self.port = free_port()
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            try:
                self.controller.start()
                return
            except (OSError, RuntimeError):
                if attempt == attempts - 1:
                    raise

    def stop(self) -> None:
        self.controller.stop()

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=planwatch@example.org&to={to}"

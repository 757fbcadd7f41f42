"""An idempotent webhook receiver in its own process: counts unique outbox ids, drops repeats.

`python -m bench.receiver` prints its port, then serves POSTs (the outbox id is the JSON body's
"outbox_id" field; a body without one, e.g. cut short by a killed sender, is refused with 400)
and GET /stats -> {"unique", "dropped", "total"}.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve() -> None:
    seen: set[str] = set()
    stats = {"unique": 0, "dropped": 0, "total": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                key = str(json.loads(raw)["outbox_id"])
            except (ValueError, KeyError, TypeError):
                # a sender killed mid-request leaves a truncated body: nothing was delivered
                self.send_response(400)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with lock:
                stats["total"] += 1
                if key in seen:
                    stats["dropped"] += 1  # a duplicate: acknowledged, not delivered again
                else:
                    seen.add(key)
                    stats["unique"] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            with lock:
                data = json.dumps(stats).encode()
            if self.path.startswith("/reset"):
                with lock:
                    seen.clear()
                    stats.update(unique=0, dropped=0, total=0)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a dispatcher killed mid-request resets its connection: expected here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    print(server.server_address[1], flush=True)
    server.serve_forever()


class ReceiverProcess:
    """The receiver as a subprocess; stats() and reset() over loopback HTTP."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.receiver"],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()

    def _get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        return self._get("/stats")

    def reset(self) -> dict:
        return self._get("/reset")

    def url(self, path: str = "/n") -> str:
        return f"json://127.0.0.1:{self.port}{path}"


if __name__ == "__main__":
    serve()

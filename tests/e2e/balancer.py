"""A round-robin HTTP reverse proxy for the scenarios on several nodes: each request goes to
the next node in turn (so a browser's page, its assets and the form it sends next land on
different nodes), method, headers and body as sent, X-Forwarded-For added; the answer is
streamed back. It counts what each node served, so a run can show both took a share.

One request per connection (HTTP/1.0 style, `Connection: close`): simple, and every request
is balanced on its own rather than pinned to a kept-alive connection.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Headers of one hop, never forwarded (RFC 9110 7.6.1).
HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
CHUNK = 64 * 1024


class Balancer:
    """Listens on 127.0.0.1 (a free port unless given) and forwards to `nodes`
    ("host:port"), in turn."""

    def __init__(self, nodes: list[str], port: int = 0) -> None:
        self.nodes = nodes
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self._next = itertools.cycle(nodes)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def pick(self) -> str:
        with self._lock:
            node = next(self._next)
            self.counts[node] += 1
            return node

    def start(self) -> Balancer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values()) or 1
        return {node: self.counts[node] / total for node in self.nodes}


def _handler(balancer: Balancer) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            node = balancer.pick()
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            client = self.client_address[0]
            seen = self.headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = f"{seen}, {client}" if seen else client
            conn = http.client.HTTPConnection(node, timeout=300)
            try:
                # Host stays the proxy's, so the links and redirects the node makes point here.
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                conn.endheaders(body)
                reply = conn.getresponse()
            except OSError as exc:
                conn.close()
                balancer.failures.append(f"{self.command} {self.path} -> {node}: {exc}")
                self.send_error(502, f"node {node} did not answer")
                return
            try:
                self.send_response_only(reply.status, reply.reason)
                for k, v in reply.getheaders():
                    if k.lower() not in HOP:
                        self.send_header(k, v)
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    while chunk := reply.read(CHUNK):
                        self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser went away (a navigation cancelled a download)
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the nodes log every request

    return Forward

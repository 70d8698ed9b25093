"""The integrations' side of the scenarios: the HTTP API over a real socket, with nothing but
the standard library (what a county's scripts would use), every 5xx remembered."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Login:
    username: str
    password: str
    token: str
    display_name: str


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:  # a failed assertion shows what the service said
        return f"<{self.status} {self.body[:600]!r}>"


@dataclass
class Api:
    """One user's API token against the running service."""

    base: str
    token: str | None
    server_errors: list[str] = field(default_factory=list)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        form: dict[str, str] | None = None,
    ) -> Reply:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if files is not None or form is not None:
            data, ctype = _multipart(form or {}, files or {})
            headers["Content-Type"] = ctype
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(
            self.base + path, data=data, headers=headers, method=method.upper()
        )
        try:
            with urllib.request.urlopen(req, timeout=180) as resp:
                reply = Reply(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as exc:
            reply = Reply(exc.code, dict(exc.headers), exc.read())
        if reply.status >= 500:
            self.server_errors.append(f"{method} {path} -> {reply!r}")
        return reply

    def get(self, path: str) -> Reply:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def ok(self, method: str, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        """The JSON of a call that must answer `expect`."""
        r = self.call(method, path, body, **kw)
        assert r.status == expect, f"{method} {path}: {r!r}"
        return r.json if r.body else None


def _multipart(form: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in form.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, content, ctype) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def wait_for(
    what: str, probe: Callable[[], Any], timeout: float = 180.0, every: float = 1.0
) -> Any:
    """Poll until `probe` returns something truthy, as a user reloading a page would; the
    timeout is generous (a loaded CI machine), it only bounds a hang."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"gave up waiting {timeout:.0f} s for {what}; last seen: {last!r}")

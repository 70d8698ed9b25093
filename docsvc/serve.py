"""`docsvc serve`: gunicorn in front of the app (Werkzeug's server is for development only),
and the background worker beside it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from docsvc import logs
from docsvc.config import load_settings
from docsvc.logs import logged_path

__all__ = ["WorkerProcess", "logged_path", "serve"]

# Never log query strings: a search for a person's name would land in the log. The request id
# (docsvc/web/request_id.py, answered in the response) ties the line to the app's own lines.
ACCESS_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


class _AccessLog(Logger):
    """gunicorn's logger, with the release token cut out of every access line, and in JSON
    mode (DOCSVC_LOG_FORMAT=json) its own lines and one object per request in docsvc's format."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if logs.json_mode():
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(logs.JsonFormatter())
                handler.addFilter(logs.ContextFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = logged_path(str(atoms.get("U", "")))
        return atoms

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not logs.json_mode():
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        try:
            atoms = self.atoms(resp, req, environ, request_time)
            status = int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"]
            fields = {
                "method": atoms["m"],
                "path": atoms["U"],
                "status": status,
                "bytes": atoms["B"] or 0,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                # The id the response carried (None for gunicorn's own refusals).
                "request_id": atoms.get("{x-request-id}o"),
                "remote_addr": atoms["h"],
            }
            self.access_log.info(
                "%s %s %s", atoms["m"], atoms["U"], atoms["s"], extra={"fields": fields}
            )
        except Exception:
            self.exception("access log failed")


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:  # type: ignore[override]  # gunicorn's stubs type start_response narrower than PEP 3333 (and Flask) do
        from docsvc.app import create_app

        return create_app()


def _post_fork(_server: Any, worker: Any) -> None:
    """The app is built once in the master (preload), so a recycled HTTP worker is serving
    again the moment it is forked; each worker then opens its own database connections, never
    one it inherited (two processes on one connection corrupt it)."""
    worker.app.wsgi().extensions["docsvc.db"].engine.dispose(close=False)


log = logging.getLogger("docsvc.serve")


class WorkerProcess:
    """Keeps one `docsvc worker` process running: started with the server, restarted if it
    exits, stopped with the server. Queued work is never lost while it is down: it waits.

    Only the process that started it may stop it: gunicorn forks its HTTP workers from the
    master, and a forked copy of this object must never signal or wait for the worker."""

    def __init__(self, command: list[str] | None = None, restart_after: float = 5.0) -> None:
        self.owner = os.getpid()
        self.command = command or [
            *(sys.executable, "-m", "docsvc.cli", "worker", "--parent", str(self.owner))
        ]
        self.restart_after = restart_after
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="worker-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self._stop.is_set():
                    return
                # Its own session: a Ctrl-C or SIGTERM meant for the server reaches the server,
                # which stops the worker itself (and does not mistake that for a crash).
                self._proc = subprocess.Popen(self.command, start_new_session=True)
                self.starts += 1
            code = self._proc.wait()
            if not self._stop.is_set():
                log.warning(
                    "background worker exited (%s); restarting in %s s", code, self.restart_after
                )
                self._stop.wait(self.restart_after)

    def stop(self, timeout: float = 15.0) -> None:
        if os.getpid() != self.owner:
            return  # a forked copy (an HTTP worker): the worker is not its to stop
        with self._lock:
            self._stop.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            log.info("stopping the background worker")
            proc.terminate()  # it gives its current job back to the queue and exits
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("background worker did not stop in %s s; killing it", timeout)
                proc.kill()
                proc.wait()
        self._thread.join(timeout)


def _warn_if_node_local_key() -> None:
    """Several nodes must sign sessions with one key; a key each node made for itself signs
    out whoever the load balancer sends to another node. Said once at start where several
    nodes are possible (a shared database or bucket) and the key is this node's own."""
    settings = load_settings()
    shared = not settings.is_sqlite or settings.store_url.startswith("s3://")
    if shared and not os.environ.get("DOCSVC_SECRET_KEY"):
        log.warning(
            "DOCSVC_SECRET_KEY is not set: sessions are signed with this node's own key "
            "(%s). If more than one node serves this database, set DOCSVC_SECRET_KEY to the "
            "same value on each, or people are signed out when another node answers them.",
            settings.data_dir / "secret_key",
        )


def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    max_requests: int = 2000,
    background_worker: bool = True,
) -> None:
    """Gunicorn's master owns the background worker (its start and exit hooks run only in the
    master): an HTTP worker that is recycled, crashes or is killed affects nothing else.
    Without `background_worker`, only the web tier runs (workers run as their own services)."""
    logs.configure()
    _warn_if_node_local_key()

    background = WorkerProcess() if background_worker else None

    def on_starting(_server: Any) -> None:
        if background is not None:
            background.start()

    def on_exit(_server: Any) -> None:
        log.info("server stopping")
        if background is not None:
            background.stop()

    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,
            # A stop waits this long for requests in flight, then ends them.
            "graceful_timeout": 10,
            # Recycle workers now and then: PDF rendering does not give memory back to the OS.
            # The jitter is wide so workers recycle one at a time, never all at once.
            "max_requests": max_requests,
            "max_requests_jitter": max_requests // 2,
            "preload_app": True,
            "post_fork": _post_fork,
            "on_starting": on_starting,
            "on_exit": on_exit,
            # No control socket: its default path is shared by every server of the machine's user.
            "control_socket_disable": True,
            "accesslog": "-",
            "access_log_format": ACCESS_FORMAT,
            "logger_class": _AccessLog,
        }
    ).run()

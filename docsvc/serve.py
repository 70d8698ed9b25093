"""`docsvc serve`: gunicorn in front of the app (Werkzeug's server is for development only),
and the background worker beside it."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# A release link's token is the only thing that opens its records: whoever reads the access
# log must not be able to follow it.
_RELEASE_LINK = re.compile(r"^(/public/releases/)[^/]+")


def logged_path(path: str) -> str:
    """The request path as the access log keeps it: a release link's token cut out."""
    return _RELEASE_LINK.sub(r"\1[link]", path)


class _AccessLog(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = logged_path(str(atoms.get("U", "")))
        return atoms


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


def serve(host: str, port: int, workers: int, threads: int, max_requests: int = 2000) -> None:
    """Gunicorn's master owns the background worker (its start and exit hooks run only in the
    master): an HTTP worker that is recycled, crashes or is killed affects nothing else."""
    # Imported once in the master, so forked workers boot faster.
    from docsvc.app import configure_logging

    configure_logging()

    background = WorkerProcess()

    def on_starting(_server: Any) -> None:
        background.start()

    def on_exit(_server: Any) -> None:
        log.info("server stopping")
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
            # Never log query strings: a search for a person's name would land in the log.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "logger_class": _AccessLog,
        }
    ).run()

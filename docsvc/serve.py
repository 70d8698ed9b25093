"""`docsvc serve`: gunicorn in front of the app (Werkzeug's server is for development only),
and the background worker beside it."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from docsvc.app import create_app

        return create_app()


class WorkerProcess:
    """Keeps one `docsvc worker` process running: started with the server, restarted if it
    exits, stopped with the server. Queued work is never lost while it is down: it waits."""

    def __init__(self, command: list[str] | None = None, restart_after: float = 5.0) -> None:
        self.command = command or [sys.executable, "-m", "docsvc.cli", "worker"]
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
                self._proc = subprocess.Popen(self.command)
                self.starts += 1
            code = self._proc.wait()
            if not self._stop.is_set():
                logging.getLogger("docsvc.serve").warning(
                    "background worker exited (%s); restarting in %s s", code, self.restart_after
                )
                self._stop.wait(self.restart_after)

    def stop(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._stop.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()  # the worker finishes its current job's transaction or drops it
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._thread.join(timeout)


def serve(host: str, port: int, workers: int, threads: int) -> None:
    worker = WorkerProcess()
    worker.start()
    try:
        _run_gunicorn(host, port, workers, threads)
    finally:
        worker.stop()


def _run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,
            # Recycle workers now and then: PDF rendering does not give memory back to the OS.
            "max_requests": 2000,
            "max_requests_jitter": 200,
            "accesslog": "-",
            # Never log query strings: a search for a person's name would land in the log.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        }
    ).run()

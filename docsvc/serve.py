"""`docsvc serve`: gunicorn in front of the app (Werkzeug's server is for development only)."""

from __future__ import annotations

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


def serve(host: str, port: int, workers: int, threads: int) -> None:
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

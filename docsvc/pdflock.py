"""One lock for PDFium: the library is not thread-safe, and gunicorn's threaded workers (and an
API release rendered in a request thread) would otherwise call it at once and crash the process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

PDFIUM = threading.RLock()
P = ParamSpec("P")
R = TypeVar("R")


def serialized(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` (which opens documents with pypdfium2) run holding the PDFium lock."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with PDFIUM:
            return fn(*args, **kwargs)

    return run

"""PDF rendering with WeasyPrint: PDF/A-2b, so the bytes served are the archival bytes.

The renderer may fetch nothing but our own stored photo renditions ("store:<sha256>") and the
jurisdiction's seal ("seal:<sha256>", the one file the caller resolved and checked,
documents/seals.py): no file://, no network, whatever a template or a value contains.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.request import pathname2url

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from docsvc.documents.templates import default_dir
from docsvc.labels import label
from docsvc.store import IntegrityError


class Pictures(Protocol):
    """Where the renderer finds a stored image by its hash: the store, or a bundle's build
    folder beside it."""

    def local_path(self, sha256: str) -> Path: ...


PDF_VARIANT = "pdf/a-2b"


class StoreFetcher(URLFetcher):
    def __init__(self, store: Pictures, seal: Path | None = None) -> None:
        super().__init__(allowed_protocols=())
        self.store = store
        self.seal = seal

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("seal:") and self.seal is not None:
            # Only the seal file the caller resolved, whatever the URL names after "seal:".
            body = self.seal.read_bytes()
            media = "image/svg+xml" if self.seal.suffix == ".svg" else "image/png"
            return URLFetcherResponse(
                "file:" + pathname2url(str(self.seal)), body=body, headers={"Content-Type": media}
            )
        if not url.startswith("store:"):
            raise FatalURLFetchingError(f"documents may not fetch {url.split(':', 1)[0]} URLs")
        sha256 = url[len("store:") :]
        # A local file (an object store's is a verified copy in the node's cache), checked
        # here too; answered as that file's own address, so WeasyPrint keeps the path, not the
        # bytes, and reads the image again when it writes the PDF: a bundle of hundreds of
        # photos does not hold them all in memory (stored files never change).
        path = self.store.local_path(sha256)
        body = path.read_bytes()
        if hashlib.sha256(body).hexdigest() != sha256:
            raise IntegrityError(f"stored file {sha256[:12]}… no longer matches its hash")
        url = "file:" + pathname2url(str(path))
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/jpeg"})


@lru_cache(maxsize=64)
def _environment(search: tuple[str, ...]) -> Environment:
    env = Environment(
        loader=FileSystemLoader(list(search)),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters["label"] = label  # codes printed as words, as on the pages
    return env


# Parsing the stylesheet and loading fonts cost a quarter of a render: done once per thread
# (Pango's font map is not documented as safe to share between threads).
_local = threading.local()


def html_environment(search: list[Path]) -> Environment:
    """One environment per search path, so each template compiles once (Jinja's cache is per
    environment) and recompiles when its file changes (auto_reload)."""
    return _environment(tuple(str(p) for p in search))


def _window_css(path: Path) -> Path:
    """The window-envelope address block's styles (_layout/window.css) beside the layout's
    stylesheet, or the shipped one: every layout may include the block."""
    beside = path.with_name("window.css")
    return beside if beside.is_file() else default_dir() / "_layout" / "window.css"


def _stylesheet(path: Path) -> tuple[CSS, FontConfiguration]:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {"fonts": FontConfiguration(), "css": {}}
    window = _window_css(path)
    key = (str(path), path.stat().st_mtime_ns, str(window), window.stat().st_mtime_ns)
    if key not in cache["css"]:
        text = path.read_text(encoding="utf-8") + "\n" + window.read_text(encoding="utf-8")
        cache["css"][key] = CSS(string=text, font_config=cache["fonts"])
    return cache["css"][key], cache["fonts"]


def render_pdf(
    env: Environment,
    doc_type: str,
    context: dict[str, Any],
    store: Pictures,
    stylesheet: Path,
    *,
    preview: bool = False,
    seal: Path | None = None,
) -> bytes:
    """`seal`: the jurisdiction's seal file to print (documents/seals.py: seal_path), or None."""
    template = env.select_template([f"{doc_type}/notice.html", "_layout/notice.html"])
    return write_pdf(template.render(**context, preview=preview), stylesheet, store, seal=seal)


def layout(html: str, stylesheet: Path, store: Pictures, *, seal: Path | None = None) -> Document:
    """HTML laid out in pages (not yet written): for callers that need to know which page
    each anchor landed on. Fetches nothing but our own stored files (and the seal)."""
    css, fonts = _stylesheet(stylesheet)
    return HTML(string=html, url_fetcher=StoreFetcher(store, seal), base_url="store:").render(
        stylesheets=[css], font_config=fonts
    )


def write_pdf(html: str, stylesheet: Path, store: Pictures, *, seal: Path | None = None) -> bytes:
    """HTML to archival PDF, fetching nothing but our own stored files (and the seal)."""
    css, fonts = _stylesheet(stylesheet)
    fetcher = StoreFetcher(store, seal)
    return HTML(string=html, url_fetcher=fetcher, base_url="store:").write_pdf(
        stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )

"""PDF rendering with WeasyPrint: PDF/A-2b, so the bytes served are the archival bytes.

The renderer may fetch nothing but our own stored photo renditions ("store:<sha256>"): no
file://, no network, whatever a template or a value contains.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from docsvc.store import FileStore

PDF_VARIANT = "pdf/a-2b"


class StoreFetcher(URLFetcher):
    def __init__(self, store: FileStore) -> None:
        super().__init__(allowed_protocols=())
        self.store = store

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:  # type: ignore[override]
        if not url.startswith("store:"):
            raise FatalURLFetchingError(f"documents may not fetch {url.split(':', 1)[0]} URLs")
        body = self.store.open_verified(url[len("store:") :])
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/jpeg"})


def html_environment(search: list) -> Environment:  # type: ignore[type-arg]
    return Environment(
        loader=FileSystemLoader([str(p) for p in search]),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
    )


def render_pdf(
    env: Environment,
    doc_type: str,
    context: dict[str, Any],
    store: FileStore,
    *,
    preview: bool = False,
) -> bytes:
    template = env.select_template([f"{doc_type}/notice.html", "_layout/notice.html"])
    html = template.render(**context, preview=preview)
    return HTML(string=html, url_fetcher=StoreFetcher(store), base_url="store:").write_pdf(
        pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )

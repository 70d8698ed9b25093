"""The people's side of the scenarios: Debian's Chromium on a tablet, driven by Playwright, with
every script error, console error, CSP violation, broken asset and 5xx remembered."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.client import Login
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

TABLET = {
    "viewport": {"width": 800, "height": 1280},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 1,
}
YES = re.compile(r"^\s*Yes\b")


class Browser:
    """One Chromium for a scenario; each person gets a context (cookies) of their own."""

    def __init__(self, pw: Any, base: str) -> None:
        self.base = base
        self.errors: list[str] = []
        self.pages: list[Any] = []
        self._browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def tablet(self, login: Login | None = None) -> Any:
        """A new page on a tablet, signed in as `login` (or nobody)."""
        context = self._browser.new_context(accept_downloads=True, **TABLET)
        context.set_default_timeout(30_000)
        page = context.new_page()
        self.pages.append(page)
        page.on("pageerror", lambda e: self.errors.append(f"script error: {e}"))
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text} ({page.url})")
                if m.type == "error" and not _refused_form(m.text)
                else None
            ),
        )
        page.on("response", self._response)
        if login is not None:
            sign_in(page, self.base, login)
        return page

    def _response(self, response: Any) -> None:
        # A refused form legitimately answers 4xx; a 5xx never, nor a broken image or script.
        kind = response.request.resource_type
        if response.status >= 500 or (response.status >= 400 and kind != "document"):
            self.errors.append(f"{response.status} {response.request.method} {response.url}")

    def keep_evidence(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(self.pages, 1):
            try:
                (folder / f"page{n}.html").write_text(f"<!-- {page.url} -->\n" + page.content())
                page.screenshot(path=str(folder / f"page{n}.png"), full_page=True)
            except Exception as exc:  # a page that is gone has nothing to show
                (folder / f"page{n}.txt").write_text(repr(exc))

    def close(self) -> None:
        self._browser.close()


def _refused_form(text: str) -> bool:
    """Chromium logs the 4xx of a refused form as 'Failed to load resource': that page is the
    answer the user reads (the response hook above still catches anything else)."""
    return bool(re.match(r"Failed to load resource: the server responded with a status of 4", text))


def sign_in(page: Any, base: str, login: Login) -> None:
    page.goto(f"{base}/login")
    page.fill("#login-form input[name=username]", login.username)
    page.fill("#login-form input[name=password]", login.password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/cases")


def submit(page: Any, button: Any) -> None:
    """Click a form's button and, where the action is irreversible and the service asks to
    confirm it on a page of its own, click its "Yes, ..." button."""
    with page.expect_navigation():
        button.click()
    yes = page.locator("#confirm-yes").or_(page.get_by_role("button", name=YES))
    if yes.count():
        with page.expect_navigation():
            yes.first.click()


def flashed(page: Any) -> str:
    return " | ".join(page.locator(".flash").all_inner_texts())


def expect_flash(page: Any, text: str) -> None:
    said = flashed(page)
    errors = " | ".join(page.locator(".errors").all_inner_texts())
    assert text in said, f"expected {text!r}; the page said {said!r} {errors!r} at {page.url}"


def reload_until(page: Any, selector: str, what: str, timeout: float = 180.0) -> None:
    """Wait for the background worker the way a user does: look, and reload until it shows."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what} at {page.url}")
        time.sleep(1.5)
        page.reload()


def local_now(zone: str) -> str:
    """What the officer types in a datetime-local field: the jurisdiction's wall clock now."""
    return datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def fetch(page: Any, href: str) -> Any:
    """A link's target fetched with the page's own session (as following it would)."""
    return page.request.get(href if href.startswith("http") else _origin(page) + href)


def _origin(page: Any) -> str:
    return "/".join(page.url.split("/", 3)[:3])


def download(page: Any, link: Any) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and bytes."""
    with page.expect_download() as dl:
        link.click()
    return dl.value.suggested_filename, Path(dl.value.path()).read_bytes()


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:200]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(
            ["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout

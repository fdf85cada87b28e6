"""Browser tests: a live server on a free port and Debian's chromium driven by Playwright.

In CI (CI=true) a missing browser is an error, so browser tests cannot silently not run.
Elsewhere they skip with the reason.

Every page a browser test shows is checked as it arrives (see `PageAudit`): axe-core at the
desktop width and at a 390 px phone width, failing on any serious or critical violation, and at
the phone width no sideways scrolling and no tap target under 44 px. axe-core comes from npm:
`npm ci --prefix tests/e2e/vendor` (its package.json pins the version).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from interviews.extensions import db
from tests.conftest import free_port

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class LiveServer:
    def __init__(self, app: Flask, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server_factory(app: Flask, app_factory: Callable[..., Flask]) -> Iterator[Callable[..., LiveServer]]:
    """Start the app (with CSRF on, as in production) on a free port. Test data must be committed."""
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        db.session.commit()
        port = free_port()
        settings = {"WTF_CSRF_ENABLED": True, "BASE_URL": f"http://127.0.0.1:{port}", **overrides}
        server = LiveServer(app_factory(**settings), port).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory()


# --- accessibility and phone layout, checked on every page the tests show ----------------------

AXE_JS = Path(__file__).resolve().parent / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ["serious", "critical"]
MIN_TAP_TARGET = 44  # CSS pixels, WCAG 2.5.5
# What a finger presses. Text links inside sentences are exempt (WCAG's inline exception);
# a checkbox or radio is pressed through its label, which the stylesheet pads.
TAP_TARGETS = (
    "button, a.button, select, summary, .main-nav a, .pager a, .tabs a, "
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
)

# Runs in the page: axe-core, then (at the phone width) what sticks out sideways and what is too small to tap.
_AUDIT = "\n".join(
    line
    for line in (Path(__file__).resolve().parent / "audit.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")
)


# The page's structure (path, and each element's tag, classes, id, role, label, type), hashed: the same
# page shown again in the same state (the sign-in page before each sign-in) is checked once a run.
_STRUCTURE = """() => {
  let hash = 0;
  for (const el of document.querySelectorAll("*")) {
    const attrs = ["class", "id", "role", "aria-label", "type", "hidden", "open"].map((a) => el.getAttribute(a) || "");
    for (const c of el.tagName + attrs.join("|") + ";") hash = (hash * 31 + c.charCodeAt(0)) | 0;
  }
  return location.pathname.replace(/\\d+/g, "N") + " " + hash;
}"""
_CHECKED_STRUCTURES: set[str] = set()


class PageAudit:
    """Checks each page one browser tab shows, once, at the tab's next use after it arrived.

    A navigation (a link, a form, a redirect) only counts the page as new; the check runs when
    the test next touches the tab, once the page has loaded, so every page a test looks at is
    checked before the test acts on it. A failure names the page, the width and the elements.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        self.arrived = 0
        self.checked = 0
        self.busy = False
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self.arrived += 1

    def check(self) -> None:
        if self.busy or self.arrived == self.checked or self.page.is_closed():
            return
        self.busy = True
        started = time.monotonic()
        try:
            seen = self.arrived
            problems = self._audit()
            self.checked = seen
        finally:
            self.busy = False
            _report(self.page.url, "total", {}, time.monotonic() - started)
        if problems:
            raise AssertionError("\n".join(problems))

    def _audit(self) -> list[str]:
        from playwright.sync_api import Error as PlaywrightError

        for _ in range(5):
            try:
                self.page.wait_for_load_state("load")
                return self._audit_loaded()
            except PlaywrightError as error:  # the page moved on (a redirect in a script) while checked
                if "destroyed" not in str(error) and "navigat" not in str(error):
                    raise
        return []

    def _audit_loaded(self) -> list[str]:
        url = self.page.url
        if not url.startswith("http"):
            return []
        structure = self.page.evaluate(_STRUCTURE)
        if structure in _CHECKED_STRUCTURES:
            return []
        _CHECKED_STRUCTURES.add(structure)
        desktop = self.page.viewport_size
        problems: list[str] = []
        try:
            for label, size in (("desktop", desktop), ("phone", PHONE)):
                if size is not None and size != self.page.viewport_size:
                    self.page.set_viewport_size(size)
                started = time.monotonic()
                found = self.page.evaluate(
                    _AUDIT,
                    {
                        "blocking": BLOCKING_IMPACTS,
                        "phone": label == "phone",
                        "tapTargets": TAP_TARGETS,
                        "minTap": MIN_TAP_TARGET,
                    },
                )
                _report(url, label, found, time.monotonic() - started)
                where = f"{url} at the {label} width ({(size or {}).get('width', '?')} px)"
                for violation in found["violations"]:
                    problems.append(
                        f"axe-core, {violation['impact']}: {violation['id']} ({violation['help']}) on {where}: "
                        + ", ".join(violation["nodes"])
                    )
                if found["overflow"]:
                    problems.append(f"The page scrolls sideways on {where}: " + "; ".join(found["overflow"]))
                if found["small"]:
                    problems.append(f"Tap targets under {MIN_TAP_TARGET} px on {where}: " + "; ".join(found["small"]))
        finally:
            if desktop is not None and self.page.viewport_size != desktop:
                self.page.set_viewport_size(desktop)
        return problems


def _report(url: str, width: str, found: dict[str, Any], seconds: float) -> None:
    """With AXE_REPORT=<file>, one JSON line per check (every violation, whatever its impact)."""
    target = os.environ.get("AXE_REPORT")
    if target:
        line = {"url": url, "width": width, "seconds": round(seconds, 3), **found}
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


class CheckedPage:
    """A Playwright page that checks each new page before the test uses it (see PageAudit)."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self._audit = PageAudit(page)

    def __getattr__(self, name: str) -> Any:
        self._audit.check()
        return getattr(self._page, name)

    def check_now(self) -> None:
        self._audit.check()


class CheckedContext:
    """A browser context whose pages are CheckedPages, with axe-core loaded into every document.

    axe-core is added as an init script: the app's Content-Security-Policy (script-src 'self')
    refuses the inline script `add_script_tag` writes, and turning the policy off for the tests
    would hide any page that broke it.
    """

    def __init__(self, context: Any) -> None:
        self._context = context
        self._pages: list[CheckedPage] = []
        context.add_init_script(path=str(AXE_JS))

    def new_page(self) -> CheckedPage:
        page = CheckedPage(self._context.new_page())
        self._pages.append(page)
        return page

    def close(self) -> None:
        try:
            for page in self._pages:
                page.check_now()  # the last page each tab showed
        finally:
            self._context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class CheckedBrowser:
    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> CheckedContext:
        return CheckedContext(self._browser.new_context(**options))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and browser tests must run in CI (apt-get install chromium)")
        pytest.skip("no chromium on this machine: install Debian's chromium package to run browser tests")
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/e2e/vendor` (browser tests check accessibility)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield CheckedBrowser(browser)
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)

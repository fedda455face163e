"""Real-browser journeys (issue 8): Debian's chromium driven by Playwright against a live server.

Set-up: `make e2e-setup` (chromium from apt when /usr/bin/chromium is missing, axe-core from
npm). Never `playwright install`: the browser is the system one, launched headless.

Citizens use a 390x844 phone viewport, officers a desktop one. Each journey saves a
screenshot of its steps under test-artifacts/e2e/<test name>/ (gitignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "mat-khau-e2e-1"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.e2e_failed = True
    return report


def _close(request: Any, page: Any, name: str) -> None:
    """Close the page's browser context; on failure, keep a screenshot of where it stood."""
    if getattr(request.node, "e2e_failed", False) and not page.is_closed():
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(folder / f"FAILED-{name}.png"), full_page=True)
            (folder / f"FAILED-{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception:  # noqa: S110 - a page that cannot be captured is left as it is
            pass
    page.context.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="make e2e-setup")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e-setup` (installs Debian's chromium)")
    # Playwright's sync API keeps an event loop running in this thread while the browser
    # lives; the ORM calls the journeys make between browser steps are still plain
    # synchronous calls, so Django must be told they are safe. The browser, and with it the
    # flag, live only while this package's tests run: nothing outside tests/e2e (nor a
    # subprocess it starts, such as `check --deploy`) ever sees either.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def provider(live_server: Any, settings: Any) -> Iterator[Any]:
    """The national sign-in's OpenID Connect provider (npm oidc-provider), started locally and
    configured as the site's; SITE_URL is the live server (the redirect URIs are built on it)."""
    from tests.fakes.oidc import OidcProvider

    site = live_server.url
    with OidcProvider(
        redirect_uris=[site + "/tai-khoan/dang-nhap-quoc-gia/ve/"], post_logout_uris=[site + "/"]
    ) as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        settings.SITE_URL = site
        yield running


@pytest.fixture
def world(transactional_db) -> Any:
    """The demo district of every journey, committed so the live server sees it."""
    from tests.e2e import data

    return data.world_build()


@pytest.fixture(autouse=True)
def _e2e_settings(settings: Any, celery_eager: None) -> Iterator[None]:
    """Tasks run in the live server's process, so an SMS or an export is there when the page
    returns, with or without REDIS_URL."""
    settings.MOTCUA_CAPTCHA_TEST_MODE = True
    settings.SMS_BACKEND = "outbox"
    cache.clear()  # throttles and sign-in counters live in the cache
    yield
    cache.clear()


class Shots:
    """Numbered screenshots of one journey's steps."""

    def __init__(self, name: str) -> None:
        self.dir = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in [*self.dir.glob("*.png"), *self.dir.glob("FAILED-*.html")]:
            old.unlink()
        self.n = 0

    def __call__(self, page: Any, label: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request: Any) -> Shots:
    return Shots(request.node.name)


def _new_page(
    browser: Any, base_url: str, viewport: dict[str, int], errors: list[str], **kwargs: Any
) -> Any:
    context = browser.new_context(
        viewport=viewport,
        base_url=base_url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
        **kwargs,
    )
    # Generous: CI shares the machine with other suites; a step that never comes still fails.
    context.set_default_timeout(30_000)
    page = context.new_page()
    # A refused inline script (CSP) or a JavaScript error is a defect of the page.
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and "favicon" not in msg.text
            else None
        ),
    )
    return page


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def phone(request: Any, browser: Any, live_server: Any, page_errors: list[str]) -> Iterator[Any]:
    """A citizen's phone: 390x844, touch, a mobile user agent."""
    page = _new_page(
        browser,
        live_server.url,
        PHONE,
        page_errors,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    _close(request, page, "phone")


@pytest.fixture
def desktop(request: Any, browser: Any, live_server: Any, page_errors: list[str]) -> Iterator[Any]:
    """An officer's desktop browser."""
    page = _new_page(browser, live_server.url, DESKTOP, page_errors)
    yield page
    _close(request, page, "desktop")


@pytest.fixture
def new_desktop(
    request: Any, browser: Any, live_server: Any, page_errors: list[str]
) -> Iterator[Any]:
    """Opens further desktop browsers (another officer at another desk)."""
    pages: list[Any] = []

    def make() -> Any:
        page = _new_page(browser, live_server.url, DESKTOP, page_errors)
        pages.append(page)
        return page

    yield make
    for index, page in enumerate(pages):
        _close(request, page, f"browser-{index + 2}")


@pytest.fixture
def new_phone(
    request: Any, browser: Any, live_server: Any, page_errors: list[str]
) -> Iterator[Any]:
    pages: list[Any] = []

    def make() -> Any:
        page = _new_page(
            browser,
            live_server.url,
            PHONE,
            page_errors,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        pages.append(page)
        return page

    yield make
    for index, page in enumerate(pages):
        _close(request, page, f"browser-{index + 2}")

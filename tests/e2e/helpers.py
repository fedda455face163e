"""What the journeys check on every page: axe-core, no sideways scrolling, sensible focus."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from portal.models import Membership
from portal.names import full_name_fields
from tests.e2e.conftest import AXE, PASSWORD

BLOCKING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make e2e-setup` (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now.

    axe is evaluated through the DevTools protocol, so the page's CSP (script-src 'self')
    stays in force for the page's own scripts.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "best-practice"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " +
                                               n.failureSummary)}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page: Any, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {where or page.url}:\n" + "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


def assert_no_sideways_scroll(page: Any, where: str = "") -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{where or page.url}: {width}px wide in a {inner}px window"


def assert_no_zoom_needed(page: Any, where: str = "") -> None:
    """The page fits the phone's width (viewport meta), lets people zoom if they want, and its
    fields use at least 16px text (phones zoom in on smaller fields when they get focus)."""
    meta = page.evaluate(
        "(document.querySelector('meta[name=viewport]') || {}).content || ''"
    ).replace(" ", "")
    assert "width=device-width" in meta, (where, meta)
    assert "user-scalable=no" not in meta, (where, meta)
    assert "maximum-scale=1" not in meta, (where, meta)
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => !['hidden', 'radio', 'checkbox'].includes(el.type))
            .filter(el => el.offsetParent !== null)
            .filter(el => parseFloat(getComputedStyle(el).fontSize) < 16)
            .map(el => `${el.name || el.id}: ${getComputedStyle(el).fontSize}`)"""
    )
    assert not small, f"{where or page.url}: fields under 16px make phones zoom: {small}"


def assert_every_field_labelled(page: Any) -> None:
    """Every visible input, select and textarea has an accessible name."""
    unnamed = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.name || el.id)"""
    )
    assert not unnamed, f"fields without a label on {page.url}: {unnamed}"


INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b|\bNone\b|\{\{|\{%|%\(\w+\)s")


def assert_plain_words(page: Any, where: str = "") -> None:
    """No internal codes (status values like supplement_requested), no None and no template
    leftovers in what the citizen reads."""
    text = page.locator("main").inner_text()
    found = INTERNAL.findall(text)
    assert not found, f"{where or page.url}: internal codes shown to citizens: {found[:10]}"


def focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName.toLowerCase(), id: el.id || '',
                           text: (el.innerText || el.value || '').trim().slice(0, 80)}; }"""
    )


def check_page(page: Any, shots: Any, label: str, *, phone: bool = True) -> None:
    """A screenshot, axe, labels and (on the phone) no sideways scrolling."""
    shots(page, label)
    assert_accessible(page, label)
    assert_every_field_labelled(page)
    if phone:
        assert_no_sideways_scroll(page, label)
        assert_no_zoom_needed(page, label)
        assert_plain_words(page, label)


def officer_user(username: str, unit: Any, role: str, *, full_name: str = "") -> Any:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, **full_name_fields(full_name or username)
    )
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def officer_login(page: Any, username: str) -> None:
    page.goto("/can-bo/dang-nhap/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    # A leader lands on the dashboard, other officers on the workbench (portal.views).
    page.wait_for_url(re.compile(r"/(can-bo|bao-cao)/"))
    assert "/dang-nhap/" not in page.url, page.content()[:2000]


def pdf_file(tmp: Path, name: str = "to-khai.pdf") -> Path:
    """A small, real one-page PDF."""
    from PIL import Image

    path = tmp / name
    Image.new("RGB", (200, 280), (250, 250, 250)).save(path, format="PDF")
    return path


def jpeg_file(tmp: Path, name: str = "giay-chung-sinh.jpg") -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (235, 235, 225))
    ImageDraw.Draw(image).rectangle((20, 20, 300, 60), outline=(30, 30, 30), width=3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    path = tmp / name
    path.write_bytes(out.getvalue())
    return path

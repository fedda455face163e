"""House rules of the citizens' templates: no inline script or style, every string wrapped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates" / "citizens").glob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_script_style_or_handler(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert " style=" not in text
    assert "<style" not in text
    assert not re.search(r"\son[a-z]+=", text)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_visible_vietnamese_text_is_wrapped_for_translation(path):
    text = path.read_text(encoding="utf-8")
    # Drop template tags, variables and comments; what is left between tags must not be
    # Vietnamese prose (Vietnamese letters outside ASCII betray an unwrapped string).
    stripped = re.sub(r"{% blocktranslate.*?{% endblocktranslate %}", "", text, flags=re.S)
    stripped = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", stripped, flags=re.S)
    for chunk in re.findall(r">([^<]+)<", stripped):
        assert not re.search(r"[À-ỹ]", chunk), (path.name, chunk.strip()[:60])

"""The English translation is complete: every string of the committed catalogue is translated
(none fuzzy), the compiled .mo matches it, and the catalogue is up to date with the sources
(a fresh makemessages over a copy of the code finds nothing new). Not a browser test: runs
everywhere."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
# Folders makemessages must not read (the same as `make messages`).
IGNORED = (".venv", "var", "staticfiles", "node_modules", "test-artifacts", ".git")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sdif%]")


def _entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(PO)) if not e.obsolete]


def _msgstrs(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def test_every_string_of_the_catalogue_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 500  # the whole portal, not a stub
    untranslated = [e.msgid for e in entries if not all(s.strip() for s in _msgstrs(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:10]}"


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in _entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for index, text in enumerate(_msgstrs(entry)):
            source = sources[min(index, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert not wrong, wrong[:10]


def test_no_vietnamese_is_left_in_the_english_text():
    # Vietnamese-only letters (đ, ơ, ư and the tone-marked vowels), outside proper names the
    # English keeps (place names, the language's own name, legal references, example inputs).
    vietnamese = re.compile(r"[đĐơƠưƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
    kept = re.compile(r"Tiếng Việt|Tân Uyên|Lai Châu|QĐ-TTg|khai sinh|chứng thực|hộ kinh doanh")
    left = [
        (e.msgid, s) for e in _entries() for s in _msgstrs(e) if vietnamese.search(kept.sub("", s))
    ]
    assert not left, left[:10]


def test_the_compiled_catalogue_matches_the_po_file():
    assert MO.exists(), "run `make messages` (compilemessages) and commit django.mo"
    compiled = {(e.msgctxt, e.msgid): _msgstrs(e) for e in polib.mofile(str(MO))}
    stale = [e.msgid for e in _entries() if compiled.get((e.msgctxt, e.msgid)) != _msgstrs(e)]
    assert not stale, f"{len(stale)} strings differ from django.mo, e.g. {stale[:5]}"


def test_django_serves_the_english_text():
    with translation.override("en"):
        assert translation.gettext("Tra cứu hồ sơ") == "Look up an application"
        assert translation.ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", 2) == "%(n)s dossiers"


def test_the_catalogue_is_up_to_date_with_the_sources(tmp_path):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip(
            "GNU gettext (xgettext, msgmerge) is not installed: cannot re-extract the "
            "strings here; the committed catalogue was still checked above"
        )
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED, "__pycache__", "*.pyc")
    )
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            *(f"--ignore={d}" for d in IGNORED),
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = [
        e for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po")) if not e.obsolete
    ]
    new = [e.msgid for e in fresh if not e.translated() or "fuzzy" in e.flags]
    assert not new, (
        f"{len(new)} strings in the sources are not translated yet (run "
        f"`make messages` and translate them), e.g. {new[:10]}"
    )

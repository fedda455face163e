"""What the citizens' views share: which drafts and dossiers this browser may open, the
captcha of a form, the link back to the look-up."""

from __future__ import annotations

import time

from django import forms
from django.http import HttpRequest
from django.urls import reverse

from citizens.captcha import captcha_new

DRAFTS_KEY = "citizen_drafts"
ACCESS_KEY = "citizen_access"
# How long a proof lasts in the session: the key opens the dossier's actions for half an
# hour; a solved captcha shows the masked status for ten minutes.
KEY_PROOF_SECONDS = 30 * 60
CAPTCHA_PROOF_SECONDS = 10 * 60


def session_draft_tokens(request: HttpRequest) -> list[str]:
    return list(request.session.get(DRAFTS_KEY, []))


def session_draft_remember(request: HttpRequest, token: str) -> None:
    tokens = [t for t in session_draft_tokens(request) if t != token]
    request.session[DRAFTS_KEY] = [token, *tokens][:20]


def access_grant(request: HttpRequest, code: str, *, level: str) -> None:
    """Remember that this browser proved the key ("key") or solved a captcha ("captcha")."""
    grants = dict(request.session.get(ACCESS_KEY, {}))
    seconds = KEY_PROOF_SECONDS if level == "key" else CAPTCHA_PROOF_SECONDS
    current = grants.get(code)
    if (
        current
        and current["level"] == "key"
        and level == "captcha"
        and current["until"] > time.time()
    ):
        return  # a key proof is stronger: keep it
    grants[code] = {"level": level, "until": time.time() + seconds}
    # Keep the session small: forget expired proofs.
    request.session[ACCESS_KEY] = {c: g for c, g in grants.items() if g["until"] > time.time()}


def access_level(request: HttpRequest, code: str) -> str | None:
    grant = request.session.get(ACCESS_KEY, {}).get(code)
    if not grant or grant["until"] <= time.time():
        return None
    return str(grant["level"])


def captcha_fresh(form: forms.Form) -> dict[str, str]:
    """A new challenge in the form, its answer field emptied (one challenge answers once)."""
    captcha = captcha_new()
    if form.is_bound:
        data = form.data.copy()
        data["captcha_key"] = captcha["key"]
        data["captcha_value"] = ""
        form.data = data
    else:
        form.initial["captcha_key"] = captcha["key"]
    return captcha


def lookup_path(code: str) -> str:
    """The look-up page with the dossier's code filled in."""
    return reverse("citizen-lookup") + f"?code={code}"

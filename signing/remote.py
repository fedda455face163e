"""Remote signing services that sign a hash (national eSign gateway, SmartCA, MySign, ...).

A service is anything with the two methods of HashSigningService. `PDF_SIGNING_REMOTE_SERVICE`
names the class; each vendor's API (its authentication, its asynchronous confirmation on the
signer's phone, its transaction ids) lives in its own adapter class behind these two methods.
A per-officer signer (each officer's own remote certificate) plugs in the same way: an adapter
that picks the officer's account.

The default adapter speaks a minimal JSON protocol over HTTPS (docs/NATIONAL.md, "Signed
documents"); tests run it against a local fake service (tests/fakes/signing.py).
"""

from __future__ import annotations

import base64
from typing import Protocol

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from signing.signers import SigningError


class HashSigningService(Protocol):
    def certificates(self) -> list[bytes]:
        """The signer's certificate first, then its chain; DER."""
        ...

    def sign_hash(self, *, digest: bytes, algorithm: str) -> bytes:
        """A detached CMS (DER) whose signed attributes carry `digest` as message digest."""
        ...


class HttpHashSigningService:
    """GET {url}/certificates → {"certificates": [base64 DER, ...]};
    POST {url}/sign {"hash": base64, "hash_algorithm": "sha256"} → {"cms": base64 DER}.
    A bearer token authenticates the agency (PDF_SIGNING_REMOTE_TOKEN)."""

    def _call(self, method: str, path: str, json: dict[str, str] | None = None) -> dict:
        url = settings.PDF_SIGNING_REMOTE_URL.rstrip("/")
        if not url:
            raise SigningError(_("Chưa cấu hình dịch vụ ký số từ xa (PDF_SIGNING_REMOTE_URL)."))
        headers = {"Authorization": f"Bearer {settings.PDF_SIGNING_REMOTE_TOKEN}"}
        try:
            response = requests.request(
                method,
                f"{url}{path}",
                json=json,
                headers=headers,
                timeout=settings.PDF_SIGNING_REMOTE_TIMEOUT,
            )
            response.raise_for_status()
            return dict(response.json())
        except (requests.RequestException, ValueError) as exc:
            raise SigningError(
                _("Dịch vụ ký số không phản hồi hoặc từ chối ký. Vui lòng thử lại sau.")
            ) from exc

    def certificates(self) -> list[bytes]:
        body = self._call("GET", "/certificates")
        try:
            return [base64.b64decode(item, validate=True) for item in body["certificates"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise SigningError(_("Dịch vụ ký số trả về chứng thư số không đọc được.")) from exc

    def sign_hash(self, *, digest: bytes, algorithm: str) -> bytes:
        body = self._call(
            "POST",
            "/sign",
            {"hash": base64.b64encode(digest).decode(), "hash_algorithm": algorithm},
        )
        try:
            return base64.b64decode(body["cms"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise SigningError(_("Dịch vụ ký số trả về chữ ký không đọc được.")) from exc

"""The national sign-in: DVCQG's OpenID Connect provider (which offers VNeID), code flow.

Authlib does the protocol: the state and the nonce kept in the session and checked on return,
PKCE, the code exchanged for tokens with the client secret, the ID token's signature (the
provider's JWKS), issuer, audience, expiry and nonce checked, the user info fetched with the
access token. This module puts the settings together (discovery or explicit URLs), reads the
user info into `NationalClaims`, and keeps what the sign-in proved in the server-side
session (`national_session`): the wizard and the submission read it from there only.

Settings: NATIONAL_OIDC_* (portal/settings.py, docs/NATIONAL.md).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from citizens.submission import NationalIdentity
from dossiers.models import Dossier

log = logging.getLogger("citizens.national")

SESSION_KEY = "national_signin"
CLIENT_NAME = "national"
METADATA_CACHE_SECONDS = 3600

# Account kinds of the national sign-in (LoaiTaiKhoan).
KIND_CITIZEN = "1"
KIND_ENTERPRISE = "2"
KIND_ORGANISATION = "3"


class NationalSignInError(Exception):
    """A sign-in that cannot go on; `reason` is logged, the view shows a translated text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def national_enabled() -> bool:
    """On when the client id is set and the provider can be found (discovery or URLs)."""
    if not settings.NATIONAL_OIDC_CLIENT_ID:
        return False
    return bool(
        settings.NATIONAL_OIDC_DISCOVERY_URL
        or (settings.NATIONAL_OIDC_AUTHORIZE_URL and settings.NATIONAL_OIDC_TOKEN_URL)
    )


def redirect_uri() -> str:
    """The callback registered with the provider: fixed from SITE_URL, never from the Host."""
    return settings.SITE_URL + reverse("citizen-national-callback")


def post_logout_uri() -> str:
    return settings.SITE_URL + "/"


def _metadata() -> dict[str, Any]:
    """The provider's metadata: discovered (cached an hour), then the explicit settings."""
    found: dict[str, Any] = {}
    url = settings.NATIONAL_OIDC_DISCOVERY_URL
    if url:
        key = f"national-oidc-metadata:{url}"
        found = cache.get(key) or {}
        if not found:
            try:
                response = requests.get(url, timeout=settings.NATIONAL_OIDC_TIMEOUT)
                response.raise_for_status()
                found = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise NationalSignInError(f"discovery failed: {exc}") from exc
            if not isinstance(found, dict):
                raise NationalSignInError("discovery answered no JSON object")
            cache.set(key, found, METADATA_CACHE_SECONDS)
    explicit = {
        "issuer": settings.NATIONAL_OIDC_ISSUER,
        "authorization_endpoint": settings.NATIONAL_OIDC_AUTHORIZE_URL,
        "token_endpoint": settings.NATIONAL_OIDC_TOKEN_URL,
        "userinfo_endpoint": settings.NATIONAL_OIDC_USERINFO_URL,
        "jwks_uri": settings.NATIONAL_OIDC_JWKS_URL,
        "end_session_endpoint": settings.NATIONAL_OIDC_END_SESSION_URL,
    }
    return {**found, **{k: v for k, v in explicit.items() if v}, "_loaded_at": time.time()}


def national_client() -> DjangoOAuth2App:
    """An Authlib client for this request (settings may differ between requests in tests)."""
    client_kwargs: dict[str, Any] = {
        "scope": settings.NATIONAL_OIDC_SCOPE,
        "token_endpoint_auth_method": settings.NATIONAL_OIDC_TOKEN_AUTH,
        "default_timeout": settings.NATIONAL_OIDC_TIMEOUT,
    }
    if settings.NATIONAL_OIDC_PKCE:
        client_kwargs["code_challenge_method"] = "S256"
    oauth = OAuth()
    return oauth.register(
        CLIENT_NAME,
        client_id=settings.NATIONAL_OIDC_CLIENT_ID,
        client_secret=settings.NATIONAL_OIDC_CLIENT_SECRET,
        client_kwargs=client_kwargs,
        **_metadata(),
    )


# --- The user info ------------------------------------------------------------------------


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def identity_level(claims: dict[str, Any]) -> int:
    """The highest identity level the claims state: IAL ("2", 2, "IAL2") or loAs ("LoA2",
    ["LoA1", "LoA2"]); 0 when there is none. The claims' exact formats are UNCONFIRMED
    (docs/NATIONAL.md): any digit in them is read as the level."""
    values: list[Any] = []
    for name in ("IAL", "loAs"):
        value = claims.get(name)
        values.extend(value if isinstance(value, list) else [value])
    levels = [int(d) for v in values if v is not None for d in re.findall(r"\d", str(v))]
    return max(levels, default=0)


@dataclass(frozen=True)
class NationalClaims:
    """The user info of one sign-in, as the national provider names it (docs/NATIONAL.md)."""

    sub: str
    tech_id: str
    kind: str  # LoaiTaiKhoan: "1" citizen, "2" enterprise, "3" organisation
    id_number: str  # SoDinhDanh, the 12-digit personal ID
    old_id_number: str  # SoCMND
    full_name: str  # HoVaTen, the whole name as written
    birth_date: str
    gender: str
    phone: str
    email: str
    address: str  # DiaChi, else NoiOHienNay, else ThuongTru
    tax_code: str  # MaSoThue, else MaSoDoanhNghiep
    organisation_name: str
    level: int

    @classmethod
    def from_userinfo(cls, claims: dict[str, Any]) -> NationalClaims:
        address = next(
            (_text(claims, n) for n in ("DiaChi", "NoiOHienNay", "ThuongTru") if _text(claims, n)),
            "",
        )
        return cls(
            sub=_text(claims, "sub"),
            tech_id=_text(claims, "TechID"),
            kind=_text(claims, "LoaiTaiKhoan") or KIND_CITIZEN,
            id_number=re.sub(r"\D", "", _text(claims, "SoDinhDanh")),
            old_id_number=re.sub(r"\D", "", _text(claims, "SoCMND")),
            full_name=_text(claims, "HoVaTen"),
            birth_date=_text(claims, "NgayThangNamSinh"),
            gender=_text(claims, "GioiTinh"),
            phone=_text(claims, "SoDienThoai"),
            email=_text(claims, "ThuDienTu").lower(),
            address=address,
            tax_code=(_text(claims, "MaSoThue") or _text(claims, "MaSoDoanhNghiep")).replace(
                " ", ""
            ),
            organisation_name=_text(claims, "TenDoanhNghiep"),
            level=identity_level(claims),
        )

    @property
    def vneid_verified(self) -> bool:
        """Verified by VNeID: a personal ID number and an identity level at or above the
        setting (docs/NATIONAL.md: the meaning of the level claims is UNCONFIRMED)."""
        return (
            bool(re.fullmatch(r"\d{12}", self.id_number))
            and self.level >= settings.NATIONAL_OIDC_VERIFIED_MIN_LEVEL
        )


# --- What the sign-in proved, in the server-side session -------------------------------------


@dataclass(frozen=True)
class NationalSession:
    """Kept in the session at sign-in; read back by the wizard and the submission."""

    user_id: int
    claims: dict[str, Any] = field(default_factory=dict)
    id_token: str = ""
    at: float = 0.0

    @property
    def identity(self) -> NationalClaims:
        return NationalClaims(**self.claims)


def national_session_store(
    session: SessionBase, *, user_id: int, claims: NationalClaims, id_token: str
) -> None:
    session[SESSION_KEY] = {
        "user_id": user_id,
        "claims": asdict(claims),
        "id_token": id_token,
        "at": time.time(),
    }


def national_session(session: SessionBase, *, user_id: int | None) -> NationalSession | None:
    """The national sign-in of this session, if it signed in the account `user_id`."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or user_id is None or data.get("user_id") != user_id:
        return None
    try:
        found = NationalSession(**data)
        found.identity  # noqa: B018 - the stored claims still fit NationalClaims
    except TypeError:
        return None
    return found


def national_identity(session: SessionBase, *, user_id: int | None) -> NationalIdentity | None:
    """What the submission records of this session's national sign-in, if any."""
    signed_in = national_session(session, user_id=user_id)
    if signed_in is None:
        return None
    claims = signed_in.identity
    numbers = {claims.id_number, claims.old_id_number, claims.tax_code}
    return NationalIdentity(
        tech_id=claims.tech_id,
        vneid_verified=claims.vneid_verified,
        id_numbers=frozenset(n for n in numbers if n),
    )


def applicant_initial(claims: NationalClaims) -> dict[str, Any]:
    """The wizard's applicant step filled in from the user info: the name whole, as written
    (HoVaTen); the ID number; the phone; the e-mail; the address placed on the official list
    where its province and commune can be read from it."""
    from citizens.address import address_parse
    from notifications.phone import phone_display, phone_normalise

    business = claims.kind != KIND_CITIZEN and bool(claims.tax_code)
    try:
        phone = phone_display(phone_normalise(claims.phone))
    except ValidationError:
        phone = claims.phone
    initial: dict[str, Any] = {
        "kind": Dossier.ApplicantKind.ORGANISATION if business else Dossier.ApplicantKind.PERSON,
        "full_name": claims.full_name,
        "organisation_name": claims.organisation_name if business else "",
        "id_number": claims.tax_code if business else claims.id_number,
        "phone": phone,
        "email": claims.email,
    }
    initial.update(address_parse(claims.address))
    return {k: v for k, v in initial.items() if v}

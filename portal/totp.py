"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), for officers' two-factor
sign-in. Small enough to own: tested against both RFCs' published vectors.

    secret = totp_secret_new()                      # base32, shown once as a QR code
    totp_uri(secret=secret, account="can-bo-01")    # otpauth://totp/... for the app
    totp_match(secret=secret, code="123456", at=now)  # the matched time step, or None
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Accept the previous and the next step too: phones' clocks drift, people type slowly.
WINDOW = 1
ISSUER = "MotCua"

_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def hotp(*, key: bytes, counter: int, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC of the 8-byte counter, dynamic truncation, `digits` decimals."""
    mac = hmac.new(key, struct.pack(">Q", counter), _DIGESTS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def totp_step(*, at: datetime | float, step: int = STEP_SECONDS) -> int:
    """The RFC 6238 time step T = floor((unix time - T0) / X), T0 = 0."""
    seconds = at.timestamp() if isinstance(at, datetime) else float(at)
    return int(seconds // step)


def totp(
    *,
    key: bytes,
    at: datetime | float,
    digits: int = DIGITS,
    algorithm: str = "sha1",
    step: int = STEP_SECONDS,
) -> str:
    return hotp(key=key, counter=totp_step(at=at, step=step), digits=digits, algorithm=algorithm)


def totp_secret_new() -> str:
    """A new random 160-bit secret (RFC 4226 recommends 160 bits), base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp_key(secret: str) -> bytes:
    """The key bytes of a base32 secret (any case, spaces and missing padding allowed)."""
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def totp_uri(*, secret: str, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI authenticator apps read from a QR code (Google's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def totp_code_clean(code: str) -> str:
    """Digits only: people type '123 456' or paste with spaces."""
    return "".join(ch for ch in str(code) if not ch.isspace())


def totp_match(*, secret: str, code: str, at: datetime | float, window: int = WINDOW) -> int | None:
    """The time step whose code equals `code` within ±window steps of `at`, else None.

    Compared in constant time; the caller refuses a step at or before the last one used
    (a code is good once).
    """
    code = totp_code_clean(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = totp_key(secret)
    current = totp_step(at=at)
    found = None
    for counter in range(current - window, current + window + 1):
        if hmac.compare_digest(hotp(key=key, counter=counter), code):
            found = counter
    return found

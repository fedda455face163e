"""Officers' two-factor sign-in devices: enrolment, confirmation, verification of a code and
turning it off (the TOTP arithmetic itself is in portal.totp; the pages in portal.auth).

Rules:
- An officer who turned two-factor sign-in on (portal.models.OfficerTOTP confirmed) is not
  signed in by the password alone. Each code is good once.
- Turning it on revokes the officer's API tokens, got with the password alone
  (portal.tokens); turning it off needs a current code.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone

from portal.models import AuditLog, OfficerTOTP
from portal.tokens import api_tokens_revoke
from portal.totp import totp_match, totp_secret_new


def totp_device_of(*, user: Any) -> OfficerTOTP | None:
    if not getattr(user, "pk", None):
        return None
    return OfficerTOTP.objects.filter(user=user).first()


def totp_enabled_for(*, user: Any) -> bool:
    device = totp_device_of(user=user)
    return device is not None and device.confirmed_at is not None


def totp_enrolment_start(*, user: Any) -> OfficerTOTP:
    """A new secret for the officer, not yet in force (a previous unconfirmed one is
    replaced; a confirmed one is kept until the officer turns it off)."""
    device = totp_device_of(user=user)
    if device is not None and device.confirmed_at is not None:
        return device
    if device is None:
        device = OfficerTOTP(user=user)
    device.secret = totp_secret_new()
    device.last_step = 0
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_verify(*, user: Any, code: str, at: Any = None) -> bool:
    """Whether `code` is the officer's current code and was not used before. The device row is
    locked so two requests cannot both spend one code."""
    device = OfficerTOTP.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = totp_match(secret=device.secret, code=code, at=at or timezone.now())
    if step is None or step <= device.last_step:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, code: str) -> bool:
    """Turn two-factor sign-in on once the officer proves the app shows the right code."""
    if not totp_verify(user=user, code=code):
        return False
    OfficerTOTP.objects.filter(user=user).update(confirmed_at=timezone.now())
    api_tokens_revoke(user=user)  # got with the password alone
    AuditLog.objects.create(actor=user, action="officer_totp_enabled", target=user.username)
    return True


@transaction.atomic
def totp_disable(*, user: Any, code: str) -> bool:
    """Turn it off, with a current code (a stolen session alone cannot)."""
    if not totp_verify(user=user, code=code):
        return False
    OfficerTOTP.objects.filter(user=user).delete()
    AuditLog.objects.create(actor=user, action="officer_totp_disabled", target=user.username)
    return True


def totp_qr_data_uri(*, uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

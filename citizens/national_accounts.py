"""The citizen's account behind a national sign-in: found by TechID, else by the personal ID
number (citizens) or the tax code (enterprises, organisations), else made.

An account registered here with a password is never linked by its phone number or e-mail:
the national provider does not say that these were checked, and linking on them would hand
the account to whoever states the same number. Such a citizen keeps two accounts and can add
their earlier dossiers to the new one with the dossier's code and key ("Hồ sơ của tôi").
"""

from __future__ import annotations

import logging
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from citizens.models import CitizenProfile
from citizens.national import KIND_CITIZEN, NationalClaims, NationalSignInError
from portal.names import full_name_fields

log = logging.getLogger("citizens.national")


def national_account_link(*, claims: NationalClaims) -> AbstractBaseUser:
    """The active citizen account for these user-info claims, made on the first sign-in.

    Raises NationalSignInError without touching anything when the claims carry no TechID or
    the account found is disabled.
    """
    if not claims.tech_id:
        raise NationalSignInError("user info without TechID")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _link(claims)
        except IntegrityError:
            # Another sign-in of the same account made it meanwhile: it is found the 2nd time.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _link(claims: NationalClaims) -> AbstractBaseUser:
    profile = (
        CitizenProfile.objects.select_for_update()
        .select_related("user")
        .filter(tech_id=claims.tech_id)
        .first()
    )
    how = "TechID"
    if profile is None:
        profile, how = _by_identity(claims), "identity number"
    if profile is None:
        user = _create(claims)
        log.info("national sign-in: new citizen account %s", user.pk)
        return user
    if not profile.user.is_active:
        raise NationalSignInError(f"account {profile.user_id} is disabled")
    if profile.tech_id and profile.tech_id != claims.tech_id:
        log.warning(
            "national sign-in: account %s had TechID %s, now %s (same identity number)",
            profile.user_id,
            profile.tech_id,
            claims.tech_id,
        )
    _update(profile, claims)
    log.info("national sign-in: account %s linked by %s", profile.user_id, how)
    return profile.user


def _by_identity(claims: NationalClaims) -> CitizenProfile | None:
    """The account of the same person (SoDinhDanh) or business (tax code)."""
    rows = CitizenProfile.objects.select_for_update().select_related("user")
    if claims.kind == KIND_CITIZEN:
        if not re.fullmatch(r"\d{12}", claims.id_number):
            return None
        rows = rows.filter(id_number=claims.id_number, national_kind__in=["", KIND_CITIZEN])
    else:
        if not claims.tax_code:
            return None
        rows = rows.filter(tax_code=claims.tax_code).exclude(national_kind=KIND_CITIZEN)
    return rows.order_by(F("national_signed_in_at").desc(nulls_last=True), "-pk").first()


def _display_name(claims: NationalClaims) -> str:
    return claims.full_name or claims.organisation_name or claims.tech_id


def _free_phone(claims: NationalClaims, profile: CitizenProfile | None) -> str | None:
    """The stated mobile number in E.164, when valid and no other account logs in with it."""
    from notifications.phone import phone_normalise

    try:
        phone = phone_normalise(claims.phone)
    except ValidationError:
        return None
    return _unless_taken("phone", phone, profile)


def _free_email(claims: NationalClaims, profile: CitizenProfile | None) -> str | None:
    try:
        validate_email(claims.email)
    except ValidationError:
        return None
    return _unless_taken("email", claims.email, profile)


def _unless_taken(field: str, value: str, profile: CitizenProfile | None) -> str | None:
    """`value`, unless another account logs in with it."""
    taken = CitizenProfile.objects.filter(**{field: value})
    if profile is not None:
        taken = taken.exclude(pk=profile.pk)
    return None if taken.exists() else value


def _username(tech_id: str) -> str:
    User = get_user_model()
    # "cd-": a citizen's account (the officers' usernames never start so).
    base = "cd-vn-" + re.sub(r"[^\w.@+-]", "_", tech_id)[:120]
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _create(claims: NationalClaims) -> AbstractBaseUser:
    User = get_user_model()
    email = _free_email(claims, None)
    user = User(
        username=_username(claims.tech_id),
        email=email or "",
        **full_name_fields(_display_name(claims)),
    )
    user.set_unusable_password()  # signs in through the national provider only
    user.save()
    CitizenProfile.objects.create(
        user=user,
        full_name=_display_name(claims)[:200],
        phone=_free_phone(claims, None),
        email=email,
        tech_id=claims.tech_id,
        id_number=claims.id_number,
        tax_code=claims.tax_code,
        national_kind=claims.kind,
        national_signed_in_at=timezone.now(),
    )
    return user


def _update(profile: CitizenProfile, claims: NationalClaims) -> None:
    """The national account's facts win; the phone and e-mail the citizen logs in with are
    only filled in when missing."""
    profile.tech_id = claims.tech_id
    profile.id_number = claims.id_number or profile.id_number
    profile.tax_code = claims.tax_code or profile.tax_code
    profile.national_kind = claims.kind
    profile.national_signed_in_at = timezone.now()
    if claims.full_name:
        profile.full_name = claims.full_name[:200]
        profile.user.first_name = full_name_fields(claims.full_name)["first_name"]
        profile.user.last_name = ""
        profile.user.save(update_fields=["first_name", "last_name"])
    if profile.phone is None:
        profile.phone = _free_phone(claims, profile)
    if profile.email is None:
        profile.email = _free_email(claims, profile)
    profile.save()

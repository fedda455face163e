"""The citizen's update key: sent by SMS, stored as a keyed hash, locked after failures."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from dossiers.models import Dossier

# No 0/O, 1/I/L: the key is read off a phone screen and typed by hand.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 10
MAX_KEY_FAILURES = 10
KEY_LOCK = timedelta(hours=1)


def update_key_generate() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def update_key_hash(*, code: str, key: str) -> str:
    # A keyed HMAC, not a slow password hash: the key is random (~49 bits) and guessing is
    # capped by the lock, and look-ups must stay fast.
    normalised = key.strip().upper().replace(" ", "").replace("-", "")
    return salted_hmac("motcua.update-key", f"{code}:{normalised}").hexdigest()


def update_key_hash_matches(*, code: str, key_hash: str, key: str) -> bool:
    """Whether `key` is the key stored as `key_hash` for the dossier `code`."""
    return bool(key_hash) and constant_time_compare(key_hash, update_key_hash(code=code, key=key))


def update_key_matches(*, dossier: Dossier, key: str) -> bool:
    return update_key_hash_matches(code=dossier.code, key_hash=dossier.update_key_hash, key=key)


def update_key_is_locked(*, dossier: Dossier) -> bool:
    return dossier.key_locked_until is not None and dossier.key_locked_until > timezone.now()


def update_key_check(*, dossier: Dossier, key: str) -> bool:
    """Check a key and count failures; the 10th wrong key locks the dossier for an hour.

    Callers must first refuse when update_key_is_locked(). Counting uses an UPDATE on the row
    so concurrent guesses cannot slip past the limit.
    """
    from django.db.models import F

    if update_key_matches(dossier=dossier, key=key):
        if dossier.key_failures:
            Dossier.objects.filter(pk=dossier.pk).update(key_failures=0)
            dossier.key_failures = 0
        return True
    Dossier.objects.filter(pk=dossier.pk).update(key_failures=F("key_failures") + 1)
    dossier.refresh_from_db(fields=["key_failures"])
    if dossier.key_failures >= MAX_KEY_FAILURES:
        until = timezone.now() + KEY_LOCK
        Dossier.objects.filter(pk=dossier.pk).update(key_locked_until=until, key_failures=0)
        dossier.key_locked_until = until
        dossier.key_failures = 0
    return False

"""The citizen's update key: sent by SMS, stored as a keyed hash, guarded against guessing
in a way no outsider can turn against the citizen.

- **Per client first.** A client (portal.throttling.client_key) may give
  WRONG_KEYS_PER_CLIENT_PER_HOUR wrong keys an hour, over all dossiers: each attempt takes
  its place in that budget before anything is read, and a right key gives it back. The
  budget is smaller than a dossier's, so no single client can lock a dossier.
- **Then per dossier.** A dossier takes MAX_KEY_FAILURES wrong keys: each attempt takes a
  place with one UPDATE before its key is compared (an attempt that finds no place is
  refused uncompared, so concurrent guesses cannot slip past), and the wrong key that takes
  the last place locks the dossier for KEY_LOCK. A right key clears the count.
- **A re-sent key works at once.** Re-sending (a solved captcha, the SMS going to the phone
  registered on the dossier) lifts the lock. The key the citizen had keeps working until the
  re-sent one is first used; from then on only the new one does. So a stranger asking for a
  re-send neither locks the citizen out nor takes a working key away.
- **One answer.** An unknown code, a wrong key and a locked dossier are answered alike
  (dossiers.services.citizen.KeyRefused), so neither a code's existence nor its lock shows.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from dossiers.models import Dossier

# No 0/O, 1/I/L: the key is read off a phone screen and typed by hand.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 10
MAX_KEY_FAILURES = 10
KEY_LOCK = timedelta(hours=1)
WRONG_KEYS_PER_CLIENT_PER_HOUR = 8


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
    """Whether `key` is the dossier's confirmed key (not a re-sent one not used yet)."""
    return update_key_hash_matches(code=dossier.code, key_hash=dossier.update_key_hash, key=key)


def update_key_is_locked(*, dossier: Dossier) -> bool:
    return dossier.key_locked_until is not None and dossier.key_locked_until > timezone.now()


def update_key_check(*, dossier: Dossier, key: str) -> bool:
    """Whether `key` opens `dossier`, counted as the module docstring says: False without
    comparing when the dossier has no place left (locked, or its last places taken)."""
    now = timezone.now()
    mine = Dossier.objects.filter(pk=dossier.pk)
    placed = (
        mine.filter(key_failures__lt=MAX_KEY_FAILURES)
        .filter(Q(key_locked_until__isnull=True) | Q(key_locked_until__lte=now))
        .update(key_failures=F("key_failures") + 1)
    )
    if not placed:
        return False
    pending = update_key_hash_matches(
        code=dossier.code, key_hash=dossier.update_key_pending_hash, key=key
    )
    if pending:  # the re-sent key, first used: from now on the only one
        dossier.update_key_hash, dossier.update_key_pending_hash = (
            dossier.update_key_pending_hash,
            "",
        )
        mine.update(
            key_failures=0,
            update_key_hash=dossier.update_key_hash,
            update_key_pending_hash="",
        )
        return True
    if update_key_matches(dossier=dossier, key=key):
        mine.update(key_failures=0)
        return True
    # The wrong key that took the last place locks the dossier (and clears the count for
    # when the lock ends).
    mine.filter(key_failures__gte=MAX_KEY_FAILURES).update(
        key_locked_until=now + KEY_LOCK, key_failures=0
    )
    return False


def update_key_replace(*, dossier: Dossier, key: str) -> None:
    """A re-sent `key`: it waits beside the confirmed one until first used, and the lock is
    lifted (the caller holds the dossier's row lock and saves)."""
    dossier.update_key_pending_hash = update_key_hash(code=dossier.code, key=key)
    dossier.key_failures = 0
    dossier.key_locked_until = None

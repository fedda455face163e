"""Keyed hash chains: the digest rule shared by the dossier events (dossiers.services.events)
and the audit log (portal.audit).

A digest is HMAC-SHA256, keyed with settings.EVENT_CHAIN_KEY, over a canonical JSON of every
stored column of a row and the previous row's digest. The key is not in the database: someone
who can write to the database but does not hold the key can neither edit a row nor rebuild
the chain after an edit. The head of each chain (its last sequence number and digest, and for
a dossier its status) is sealed the same way, so removing the last rows is found too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings


def chain_digest(*fields: Any) -> str:
    """HMAC-SHA256 of the fields as canonical JSON (datetimes as UTC instants: a datetime
    read back from the database is in UTC whatever zone it was written with)."""
    values = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in fields]
    payload = json.dumps(
        values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    key = settings.EVENT_CHAIN_KEY.encode("utf-8")
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def chain_seal(*, chain: str, seq: int, digest: str, extra: Any = None) -> str:
    """The seal of a chain's head: which row is last, and (for a dossier) its status."""
    return chain_digest("head", chain, seq, digest, extra)


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())

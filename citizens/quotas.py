"""How much a citizen may upload: per draft (or per API submission) and per client.

- A draft (or one API submission) holds at most UPLOAD_DRAFT_MAX_FILES files and
  UPLOAD_DRAFT_MAX_BYTES bytes: a form error next to the files (400).
- One client (address, as the rate limits count it) may send at most UPLOAD_CLIENT_MAX_FILES
  files and UPLOAD_CLIENT_MAX_BYTES bytes a day (UPLOAD_CLIENT_WINDOW_SECONDS), counted before
  the files are checked or stored, refused or not: 429 with Retry-After.
- Starting a draft is limited per client like the other scopes ("draft" in
  REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

The counters live in the cache; when it is down they are skipped (logged), as the rate limits
are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import status

from citizens.models import Draft, DraftFile
from portal.exceptions import PortalError
from portal.throttling import counter_incr, throttled_message

logger = logging.getLogger(__name__)


class UploadQuotaExceeded(PortalError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS


def upload_quota_take(*, client: str, sizes: Sequence[int], draft: Draft | None = None) -> None:
    """Count files of these sizes against the draft's room and the client's day, or raise
    ValidationError (the draft is full) or UploadQuotaExceeded (the client's day is)."""
    if not sizes:
        return
    held_files, held_bytes = 0, 0
    if draft is not None:
        held = DraftFile.objects.filter(draft=draft).aggregate(n=Count("id"), b=Sum("size"))
        held_files, held_bytes = held["n"] or 0, held["b"] or 0
    if held_files + len(sizes) > settings.UPLOAD_DRAFT_MAX_FILES:
        raise ValidationError(
            _("Một hồ sơ đính kèm tối đa %(n)d tệp. Vui lòng gộp các trang vào ít tệp hơn.")
            % {"n": settings.UPLOAD_DRAFT_MAX_FILES},
            code="too_many_files",
        )
    if held_bytes + sum(sizes) > settings.UPLOAD_DRAFT_MAX_BYTES:
        raise ValidationError(
            _("Tổng dung lượng tệp của một hồ sơ tối đa %(limit)s. Vui lòng giảm độ phân giải.")
            % {"limit": filesizeformat(settings.UPLOAD_DRAFT_MAX_BYTES)},
            code="too_many_bytes",
        )
    window = settings.UPLOAD_CLIENT_WINDOW_SECONDS
    try:
        files = counter_incr(f"upload:n:{client}", timeout=window, amount=len(sizes))
        sent = counter_incr(f"upload:b:{client}", timeout=window, amount=sum(sizes))
    except Exception:
        logger.warning("upload quota not counted: cache unavailable", exc_info=True)
        return
    if files > settings.UPLOAD_CLIENT_MAX_FILES or sent > settings.UPLOAD_CLIENT_MAX_BYTES:
        raise UploadQuotaExceeded(throttled_message(window), extra={"retry_after": window})

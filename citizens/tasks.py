"""Periodic work of the citizens' side (scheduled in portal/celery.py)."""

from __future__ import annotations

from celery import shared_task

from citizens.captcha import captcha_purge_expired
from citizens.services import draft_purge


@shared_task(name="citizens.tasks.captcha_purge_expired")
def captcha_purge_expired_task() -> int:
    """Expired captcha challenges, out of the requests' way (a submission used to purge them
    itself, one more commit per request)."""
    return captcha_purge_expired()


@shared_task(name="citizens.tasks.draft_purge")
def draft_purge_task() -> int:
    """Drafts untouched for DRAFT_LIFETIME_DAYS go, with their files."""
    return draft_purge()

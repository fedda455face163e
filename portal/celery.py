"""The Celery application. Periodic jobs are declared here, in code (beat reads them)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The outbox: put messages stuck in queued/sending back on the queue.
    "sms-requeue-stale": {
        "task": "notifications.tasks.sms_requeue_stale",
        "schedule": 60.0,
    },
    # DVCQG: rows of lost workers back to waiting (checked first), due dossiers published.
    "dvcqg-sync-requeue": {
        "task": "dvcqg.tasks.sync_requeue",
        "schedule": 60.0,
    },
    # DVCQG: every night, what it refused or never answered is tried again.
    "dvcqg-errors-retry": {
        "task": "dvcqg.tasks.errors_retry",
        "schedule": crontab(hour=2, minute=0),
    },
    # The national payment platform: orders it never confirmed are asked for (QUERY).
    "payments-attempts-poll": {
        "task": "payments.tasks.payment_attempts_poll",
        "schedule": 600.0,
    },
    # Expired captcha challenges, purged here rather than in every request that checks one.
    "captcha-purge-expired": {
        "task": "citizens.tasks.captcha_purge_expired",
        "schedule": 600.0,
    },
    # Unfinished drafts untouched for DRAFT_LIFETIME_DAYS, with their files.
    "drafts-purge": {
        "task": "citizens.tasks.draft_purge",
        "schedule": 3600.0,
    },
    # Officer reminders: one digest per unit, every working morning.
    "officer-daily-digest": {
        "task": "notifications.tasks.officer_digest_send_all",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon-sat"),
    },
    # Report summaries: rebuild and check them every night.
    "reports-rebuild-summaries": {
        "task": "reports.tasks.summaries_rebuild",
        "schedule": crontab(hour=1, minute=15),
    },
}

"""Settings of the Celery worker started by the worker tests: production's, with retries
backing off in tens of milliseconds instead of minutes."""

from portal.settings import *  # noqa: F403

SMS_RETRY_BACKOFF = 0.05
SMS_RETRY_BACKOFF_MAX = 0.2

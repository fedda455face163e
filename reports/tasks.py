"""Thin Celery tasks of the reports queue (routed by portal/settings.py CELERY_TASK_ROUTES).

Callers import them under a _task name: `from reports.tasks import export_build as
export_build_task`.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# A rebuild reads every dossier once; a file of a million lines takes minutes.
LONG_TIME_LIMIT = 60 * 60
LONG_SOFT_TIME_LIMIT = 55 * 60


@shared_task(
    name="reports.tasks.summaries_rebuild",
    time_limit=LONG_TIME_LIMIT,
    soft_time_limit=LONG_SOFT_TIME_LIMIT,
)
def summaries_rebuild() -> dict[str, int]:
    """Nightly: recompute the summary rows from the dossiers, repair and report differences;
    drop export files older than a week."""
    from reports.services import exports_purge
    from reports.summary_rebuild import summaries_rebuild as rebuild

    result = rebuild()
    if not result.ok:
        logger.warning(
            "report summaries differed from the dossiers and were repaired: "
            "%s facts, %s rows; first differences: %s",
            result.facts_fixed,
            result.rows_fixed,
            (result.problems or [])[:5],
        )
    return {
        "units": result.units,
        "dossiers": result.dossiers,
        "facts_fixed": result.facts_fixed,
        "rows_fixed": result.rows_fixed,
        "exports_purged": exports_purge(),
    }


@shared_task(
    name="reports.tasks.export_build",
    time_limit=LONG_TIME_LIMIT,
    soft_time_limit=LONG_SOFT_TIME_LIMIT,
)
def export_build(job_id: str) -> str:
    from reports.services import export_build as build

    job = build(job_id=job_id)
    return job.status if job is not None else "skipped"

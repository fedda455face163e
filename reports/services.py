"""Writes of the reports app: export jobs (a file built in the background) and their files."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.params import param_int
from reports.access import (
    report_assert_reader,
    report_predecessors_parse,
    report_request_parse,
    report_role_parse,
    report_units_pick,
    unit_tree_map,
)
from reports.exports import rows_csv, rows_xlsx
from reports.files import ReportFiles, appendix_files, file_stem, ii06a_files
from reports.models import ExportJob
from reports.selectors.appendix import appendix_compute
from reports.selectors.drilldown import METRICS, drilldown_dossiers
from reports.selectors.ii06a import ii06a_compute
from reports.selectors.periods import period_parse

logger = logging.getLogger(__name__)
FORMATS = ("csv", "xlsx")
DOSSIER_HEADER = [
    "code",
    "procedure_code",
    "procedure_name",
    "level",
    "unit_code",
    "unit_name",
    "channel",
    "status",
    "received_at",
    "due_at",
    "resolved_at",
    "returned_at",
    "handling_unit",
    "assigned_to",
]


def export_request(
    *, user: AbstractBaseUser, kind: str, file_format: str, params: dict[str, Any]
) -> ExportJob:
    """Queue a report file; the task starts once this transaction commits.

    The parameters are checked now (period, units in the reader's scope), so a bad request
    fails here, not later in the worker.
    """
    scope = report_assert_reader(user=user)
    if kind not in ExportJob.Kind.values:
        raise ValidationError({"kind": _("Loại báo cáo không hợp lệ.")})
    if file_format not in FORMATS:
        raise ValidationError({"format": _("Định dạng tệp phải là csv hoặc xlsx.")})
    if kind == ExportJob.Kind.DOSSIERS and params.get("metric") not in METRICS:
        raise ValidationError({"metric": _("Chỉ tiêu không hợp lệ.")})
    period = period_parse(start=params.get("from"), end=params.get("to"))
    param_int(params, "level", minimum=1, maximum=4)
    report_units_pick(
        scope=scope,
        codes=params.get("unit") or [],
        role=report_role_parse(params.get("role")),
        predecessors=report_predecessors_parse(params.get("predecessors")),
        period=period,
    )
    clean = {**params, "from": period.start.isoformat(), "to": period.end.isoformat()}
    job = ExportJob(user=user, kind=kind, file_format=file_format, params=clean)
    job.full_clean()
    job.save()
    from reports.tasks import export_build as export_build_task

    transaction.on_commit(lambda: export_build_task.delay(str(job.pk)))
    return job


def _progress(job_id: Any, value: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, value)))


def _dossier_rows(qs: Any) -> Iterator[list[Any]]:
    for d in qs.iterator(chunk_size=2000):
        yield [
            d.code,
            d.procedure.code,
            d.procedure.name,
            d.procedure.level,
            d.unit.code,
            d.unit.name,
            d.channel,
            d.status,
            *[
                timezone.localtime(t).isoformat() if t else ""
                for t in (d.received_at, d.due_at, d.resolved_at, d.returned_at)
            ],
            d.handling_unit.name,
            (d.assigned_to.get_full_name() or d.assigned_to.get_username())
            if d.assigned_to
            else "",
        ]


def export_build(*, job_id: str) -> ExportJob | None:
    """Build the file of a queued job, reporting progress in the row; idempotent.

    Steps: claim the job (queued → running, or leave if another worker has it); recheck the
    owner's scope; compute; write the file; done (or failed, with the reason).
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=1
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        scope = report_assert_reader(user=job.user)
        p = job.params
        period, units, role = report_request_parse(scope=scope, params=p, codes=p.get("unit") or [])
        _progress(job.pk, 10)
        files: ReportFiles
        if job.kind == ExportJob.Kind.APPENDIX:
            appendix = appendix_compute(period=period, units=units, scope=scope, role=role)
            _progress(job.pk, 60)
            files = appendix_files(appendix, scope=scope, user=job.user, role=role)
        elif job.kind == ExportJob.Kind.II06A:
            report = ii06a_compute(
                period=period, units=units, scope=scope, by=p.get("by", "unit"), role=role
            )
            _progress(job.pk, 60)
            files = ii06a_files(report, scope=scope, user=job.user, role=role)
        else:
            ids = set(unit_tree_map(units=units, scope=scope))
            level = param_int(p, "level", minimum=1, maximum=4)
            qs = drilldown_dossiers(
                metric=p["metric"],
                period=period,
                unit_ids=ids,
                level=level,
                channel=p.get("channel", ""),
                finish=p.get("finish", ""),
                field=p.get("field", ""),
                role=role,
            )
            total = max(1, qs.count())

            def step(done: int) -> None:
                _progress(job.pk, 10 + 85 * done // total)

            rows = _dossier_rows(qs)
            files = ReportFiles(
                file_stem(f"ho-so-{p['metric']}", period),
                {
                    "csv": lambda: rows_csv(DOSSIER_HEADER, rows, step),
                    "xlsx": lambda: rows_xlsx("ho-so", DOSSIER_HEADER, rows, step),
                },
            )
        content = files.builders[job.file_format]()
        job.file.save(f"{files.stem}.{job.file_format}", ContentFile(content), save=False)
        job.status, job.progress, job.finished_at = ExportJob.Status.DONE, 100, timezone.now()
        job.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as exc:
        logger.exception("export %s failed", job_id)
        job.status, job.error, job.finished_at = (
            ExportJob.Status.FAILED,
            str(exc)[:500],
            timezone.now(),
        )
        job.save(update_fields=["status", "error", "finished_at"])
    return job


EXPORT_KEEP_DAYS = 7


def exports_purge(*, older_than_days: int = EXPORT_KEEP_DAYS) -> int:
    """Delete export jobs (and their files) older than a week; return how many went."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    count = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count

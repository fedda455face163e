"""Report export jobs for officers: ask for a file, follow its progress, download it
(built by reports.tasks.export_build; the pages themselves are reports.views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.downloads import private_file_response
from reports.models import ExportJob
from reports.services import export_request
from reports.views import report_page_scope


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    report_page_scope(request)
    params = {
        key: request.POST.getlist(key) if key == "unit" else request.POST.get(key, "")
        for key in (
            "from",
            "to",
            "unit",
            "role",
            "predecessors",
            "by",
            "metric",
            "level",
            "channel",
            "finish",
            "field",
        )
    }
    try:
        job = export_request(
            user=request.user,
            kind=request.POST.get("kind", ""),
            file_format=request.POST.get("format", ""),
            params=params,
        )
    except ValidationError as exc:
        return render(request, "reports/export.html", {"errors": exc.messages}, status=400)
    return redirect("reports-export", pk=job.pk)


def _job(request: HttpRequest, pk: str) -> ExportJob:
    report_page_scope(request)
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return render(request, "reports/export.html", {"job": _job(request, pk)})


@login_required
@require_GET
def export_status(request: HttpRequest, pk: str) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "error": job.error,
            "download_url": (
                reverse("reports-export-download", args=[job.pk])
                if job.status == ExportJob.Status.DONE
                else None
            ),
        }
    )


@login_required
@require_GET
def export_download(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("Tệp chưa sẵn sàng."))
    return private_file_response(file_field=job.file, filename=job.file.name.rsplit("/", 1)[-1])

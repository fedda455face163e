"""The officers' page of what DVCQG has not acknowledged, and DVCQG's file downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dossiers.access import officer_unit_roles
from dossiers.models import DossierFile
from dvcqg import selectors
from dvcqg.client import enabled
from dvcqg.links import file_id_from
from dvcqg.models import SyncState


@login_required
@require_GET
def sync_page(request: HttpRequest) -> HttpResponse:
    """Rows of the officer's dossiers that DVCQG has not acknowledged, with the reason."""
    if not officer_unit_roles(user=request.user):
        raise PermissionDenied(_("Tài khoản này không phải cán bộ của đơn vị nào."))
    state = request.GET.get("state", "")
    if state not in SyncState.values:
        state = ""
    search = request.GET.get("q", "").strip()[:60]
    rows = selectors.unacknowledged(user=request.user, state=state, search=search)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dvcqg/sync.html",
        {
            "enabled": enabled(),
            "page": page,
            "state": state,
            "search": search,
            "states": [c for c in SyncState.choices if c[0] != SyncState.ACKNOWLEDGED],
        },
    )


@require_GET
def file_download(request: HttpRequest, token: str) -> FileResponse:
    """A dossier file for DVCQG, through a signed link that expires (never a listing)."""
    file_id = file_id_from(token)
    row = DossierFile.objects.filter(pk=file_id).first() if file_id else None
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name)
    response["Cache-Control"] = "private, no-store"
    return response

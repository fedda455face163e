"""The result documents, downloaded with the update key (signed by the agency when a signer
is configured; the look-up page says who signed and when)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from citizens.selectors import dossier_result_files
from citizens.views.lookup import _dossier_for, _NeedKey, _to_lookup
from portal.downloads import private_file_response


def result_download(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    try:
        dossier, _level = _dossier_for(request, code, need_key=True)
    except _NeedKey:
        return _to_lookup(request, code, _("Vui lòng nhập mã tra cứu để tải kết quả giải quyết."))
    row = get_object_or_404(dossier_result_files(dossier=dossier), pk=file_id)
    return private_file_response(
        file_field=row.file,
        filename=row.original_name,
        as_attachment=True,
        content_type=row.content_type,
    )

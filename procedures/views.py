from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from portal.params import param_int
from procedures import selectors
from procedures.models import Field, Procedure, ProcedureDocument, Unit
from procedures.pdf import posting_sheet_pdf


def home(request: HttpRequest) -> HttpResponse:
    popular = selectors.procedure_list().filter(level__gte=3)[:6]
    return render(request, "procedures/home.html", {"popular": popular})


def procedure_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    level = param_int(request.GET, "level", minimum=1, maximum=4)
    unit = request.GET.get("unit", "")
    field = request.GET.get("field", "")
    qs = selectors.procedure_list(level=level, unit=unit, field=field)
    page = selectors.procedure_page(qs, search=q, number=request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "procedures/procedure_list.html",
        {
            "page": page,
            "q": q,
            "level": str(level or ""),
            "unit": unit,
            "field": field,
            "fields": Field.objects.all(),
            "units": selectors.unit_list().exclude(e_id=None),
            "levels": Procedure.Level.choices,
            "querystring": params.urlencode(),
        },
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.procedure_get(code=code)
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    return render(request, "procedures/procedure_detail.html", {"procedure": procedure})


def procedure_posting_pdf(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.procedure_get(code=code)
    if procedure is None:
        raise Http404
    pdf = posting_sheet_pdf(procedures=[procedure], unit=None)
    return _pdf_response(pdf, f"niem-yet-{code}.pdf")


def unit_posting_pdf(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    procedures = list(selectors.procedure_list(unit=code))
    pdf = posting_sheet_pdf(procedures=procedures, unit=unit)
    return _pdf_response(pdf, f"niem-yet-{code}.pdf")


def template_download(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(ProcedureDocument, pk=pk)
    if not document.template:
        raise Http404
    return FileResponse(
        document.template.open("rb"),
        as_attachment=True,
        filename=document.template.name.rsplit("/", 1)[-1],
    )


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response

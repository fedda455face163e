"""How a draft ends: submitted (the confirmation with the dossier code, the acknowledgement
with a QR code) or discarded.

/nop-ho-so/<procedure>/<token>/da-nop/          the confirmation
/nop-ho-so/<procedure>/<token>/bien-nhan.pdf    the acknowledgement (PDF)
/nop-ho-so/<procedure>/<token>/huy/             discard the draft and its files (POST)
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from citizens import services
from citizens.selectors import mask_phone
from citizens.views.common import lookup_path
from citizens.views.wizard_flow import draft_for_request, draft_steps, step_url
from dossiers.models import Dossier


@require_GET
def done(request: HttpRequest, code: str, token: str) -> HttpResponse:
    draft = draft_for_request(request, code, token)
    if not draft.is_submitted:
        return redirect(step_url(draft, draft_steps(draft)[0]))
    dossier = Dossier.objects.select_related("procedure", "unit").get(pk=draft.dossier_id)
    return render(
        request,
        "citizens/done.html",
        {
            "draft": draft,
            "dossier": dossier,
            "phone_hint": mask_phone(dossier.applicant_phone),
            "lookup_url": lookup_path(dossier.code),
        },
    )


@require_GET
def acknowledgement_pdf(request: HttpRequest, code: str, token: str) -> HttpResponse:
    from citizens.pdf import acknowledgement_pdf as make_pdf

    draft = draft_for_request(request, code, token)
    if not draft.is_submitted:
        raise Http404
    dossier = Dossier.objects.select_related("procedure", "unit").get(pk=draft.dossier_id)
    response = HttpResponse(make_pdf(dossier=dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{dossier.code}.pdf"'
    return response


@require_POST
def discard(request: HttpRequest, code: str, token: str) -> HttpResponse:
    draft = draft_for_request(request, code, token)
    if not draft.is_submitted:
        services.draft_delete(draft=draft)
    return redirect("citizen-start", code)

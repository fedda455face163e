"""Pages of the counter's written guidance: give Mẫu 02 or Mẫu 03 to a walk-in applicant
without receiving a dossier, list what was given, print it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dossiers import forms as f
from dossiers.access import officer_unit_roles, permission_roles
from dossiers.models import CounterGuidance
from dossiers.services.guidance import counter_guidance_give
from dossiers.slips import guidance_pdf
from portal.exceptions import PortalError
from procedures.models import Unit


def _desk_unit_ids(request: HttpRequest) -> list[int]:
    roles = officer_unit_roles(user=request.user)
    return [pk for pk, held in roles.items() if held & permission_roles("create")]


@login_required
def guidance(request: HttpRequest) -> HttpResponse:
    """Choose unit and procedure, then the slip, the applicant, the items or the reasons."""
    ids = _desk_unit_ids(request)
    if not ids:
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận hồ sơ."))
    units = Unit.objects.filter(pk__in=ids, e_id__isnull=False).order_by("name")
    given = CounterGuidance.objects.filter(unit_id__in=ids).select_related("unit", "procedure")
    source = request.POST if request.method == "POST" else request.GET
    start = f.ReceptionStartForm(source or None, units=units)
    context = {"start": start, "given": given[:20]}
    if not start.is_valid():
        return render(request, "dossiers/guidance.html", context)
    unit, procedure = start.cleaned_data["unit"], start.cleaned_data["procedure"]
    context |= {"unit": unit, "procedure": procedure}
    if request.method != "POST":
        context["form"] = f.GuidanceForm(procedure=procedure)
        return render(request, "dossiers/guidance.html", context)
    form = f.GuidanceForm(request.POST, procedure=procedure)
    context["form"] = form
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = counter_guidance_give(
                unit=unit,
                procedure=procedure,
                kind=data["kind"],
                applicant_name=data["applicant_name"],
                applicant_id_number=data["applicant_id_number"],
                applicant_phone=data["applicant_phone"],
                applicant_address=data["applicant_address"],
                document_ids=[int(pk) for pk in data["documents"]],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PortalError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Đã lập phiếu; in phiếu giao cho người nộp."))
            return redirect("officer-guidance-pdf", pk=made.pk)
    return render(request, "dossiers/guidance.html", context, status=400)


@login_required
def guidance_print(request: HttpRequest, pk: int) -> HttpResponse:
    made = get_object_or_404(CounterGuidance, pk=pk, unit_id__in=_desk_unit_ids(request))
    response = HttpResponse(guidance_pdf(guidance=made), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="huong-dan-{made.number}-{made.year}.pdf"'
    return response

"""The officers' workbench (/can-bo/): queues, counter reception, the dossier page, actions.

Views stay thin: login, one access helper, one form, one service call, redirect. Out-of-scope
dossiers are 404 (dossier_get_for_officer), the wrong role is 403, a move the dossier's state
does not allow is 409 with the page and the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers import forms as f
from dossiers import selectors, slips
from dossiers.access import (
    dossier_get_for_officer,
    officer_available_actions,
    officer_unit_roles,
    permission_roles,
)
from dossiers.actions import ACTIONS
from dossiers.deadlines import dossier_apology_due
from dossiers.files import dossier_access_record, dossier_file_response, officer_upload_validate
from dossiers.models import Dossier, DossierAccess
from dossiers.services.reception import dossier_receive_entered
from dossiers.signatures import counter_files_sign
from portal.auth import OfficerAuthenticationForm, officer_login_complete
from portal.exceptions import NotAllowed, PortalError
from procedures.calendar import work_calendar
from procedures.models import Unit

S = Dossier.Status


def _officer_required(request: HttpRequest) -> None:
    if not officer_unit_roles(user=request.user):
        raise PermissionDenied(_("Tài khoản này không phải cán bộ của đơn vị nào."))


# --- Login ----------------------------------------------------------------------------------


class OfficerLoginView(auth_views.LoginView):
    template_name = "dossiers/login.html"
    redirect_authenticated_user = True
    # Throttled and locked after repeated failures; TOTP second step (portal.auth).
    authentication_form = OfficerAuthenticationForm

    def form_valid(self, form: Any) -> HttpResponse:
        return officer_login_complete(
            self.request, user=form.get_user(), next_url=self.get_success_url()
        )


officer_login = OfficerLoginView.as_view()
officer_logout = auth_views.LogoutView.as_view(next_page="officer-login")


# --- Workbench ------------------------------------------------------------------------------


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The queues with their counts, filters and search, and one page of dossiers."""
    _officer_required(request)
    at = timezone.now()
    counts = selectors.queue_counts(user=request.user, at=at)
    queue = request.GET.get("queue", "")
    if queue not in counts:
        roles = set().union(*officer_unit_roles(user=request.user).values())
        queue = selectors.queue_default(roles=roles, counts=counts)
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in S.values:
        status = ""
    unit = request.GET.get("unit", "")
    qs = selectors.dossier_list(
        user=request.user, queue=queue, status=status, unit=unit, search=search, at=at
    )
    page = selectors.dossier_page(qs, number=request.GET.get("page"))
    rows = selectors.dossier_flags(list(page.object_list), at=at, calendar=work_calendar())
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dossiers/workbench.html",
        {
            "ack_waiting": _ack_waiting(request, at),
            "queues": [(q, counts[q.slug]) for q in selectors.queues()],
            "count_cap": selectors.ALL_COUNT_CAP,
            "queue": queue,
            "page": page,
            "rows": rows,
            "search": search,
            "status": status,
            "unit": unit,
            "statuses": S.choices,
            "units": _scope_units(request),
            "querystring": params.urlencode(),
            "can_receive": bool(_desk_units(request)),
        },
    )


def _ack_waiting(request: HttpRequest, at: Any) -> int:
    """Online dossiers of the officer's units waiting more than 8 working hours."""
    handled = Dossier.objects.filter(handling_unit_id__in=officer_unit_roles(user=request.user))
    return selectors.dossiers_awaiting_acknowledgement_count(handled=handled, at=at)


def _scope_units(request: HttpRequest) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=officer_unit_roles(user=request.user)).order_by("name")


def _desk_units(request: HttpRequest) -> QuerySet[Unit]:
    roles = officer_unit_roles(user=request.user)
    ids = [pk for pk, held in roles.items() if held & permission_roles("create")]
    return Unit.objects.filter(pk__in=ids, e_id__isnull=False).order_by("name")


# --- Counter and postal reception -----------------------------------------------------------


@login_required
def reception(request: HttpRequest) -> HttpResponse:
    """Receive a dossier at the counter or from the post: choose, then fill in and check."""
    _officer_required(request)
    units = _desk_units(request)
    if not units.exists():
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận hồ sơ."))
    source = request.POST if request.method == "POST" else request.GET
    start = f.ReceptionStartForm(source or None, units=units)
    if not start.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "dossiers/reception.html", {"start": start}, status=status)
    unit, procedure = start.cleaned_data["unit"], start.cleaned_data["procedure"]
    if request.method != "POST":
        form = f.ReceptionForm(procedure=procedure)
        return render(
            request,
            "dossiers/reception.html",
            {"start": start, "form": form, "unit": unit, "procedure": procedure},
        )
    form = f.ReceptionForm(request.POST, request.FILES, procedure=procedure)
    if form.is_valid():
        data = form.cleaned_data
        try:
            files = [
                officer_upload_validate(request.FILES[name], document=d)
                for d in form.documents
                if (name := f"document_{d.pk}") in request.FILES
            ]
            files = counter_files_sign(
                files=files,
                document_ids=form.sign_document_ids(),
                location=unit.name,
                officer=request.user,
            )
            dossier, _key = dossier_receive_entered(
                data,
                procedure=procedure,
                unit=unit,
                actor=request.user,
                commune=data.get("applicant_commune"),
                files=files,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except PortalError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "Đã tiếp nhận hồ sơ %(code)s. In giấy tiếp nhận và hẹn "
                    "trả kết quả cho người nộp."
                )
                % {"code": dossier.code},
            )
            return redirect("officer-dossier", code=dossier.code)
    return render(
        request,
        "dossiers/reception.html",
        {"start": start, "form": form, "unit": unit, "procedure": procedure},
        status=400,
    )


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- The dossier page -----------------------------------------------------------------------


@login_required
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    """Everything about one dossier, with the actions the officer may take now."""
    dossier = dossier_get_for_officer(user=request.user, code=code)
    dossier_access_record(dossier=dossier, user=request.user, action=DossierAccess.Action.VIEW)
    return _render_dossier(request, dossier)


def _render_dossier(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: Form | None = None,
    bound_action: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    detail = selectors.dossier_detail(dossier=dossier)
    at = timezone.now()
    selectors.dossier_flags([detail], at=at, calendar=work_calendar())
    for event in detail.events.all():
        event.from_label = S(event.from_status).label if event.from_status else ""
        event.to_label = S(event.to_status).label if event.to_status in S.values else ""
    available = officer_available_actions(user=request.user, dossier=detail)
    if bound_action and bound_action not in {a.name for a in available}:
        available.append(ACTIONS[bound_action])
    action_forms = []
    for action in available:
        form = bound if action.name == bound_action and bound else action.bind(detail)
        rows = [(field, form.show_when.get(field.name, "")) for field in form]
        action_forms.append((action, form, rows))
    accesses = (
        DossierAccess.objects.filter(dossier=detail)
        .select_related("user", "unit")
        .order_by("-at")[:20]
    )
    apology = selectors.dossier_apology_or_none(detail)
    apology_needed = (
        apology is None
        and detail.status in ACTIONS["apologize"].states
        and dossier_apology_due(dossier=detail, at=at)
    )
    return render(
        request,
        "dossiers/dossier.html",
        {
            "apology_needed": apology_needed,
            "dossier": detail,
            "action_forms": action_forms,
            # The step the dossier waits for opens by itself (the first one, if several).
            "primary_action": next((a.name for a in available if a.primary), ""),
            "bound_action": bound_action,
            "error": error,
            "apology": apology,
            "accesses": accesses,
            "slip_forms": slips.slip_links(detail),
        },
        status=status,
    )


@require_POST
@login_required
def action(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """One action of dossiers.actions: access helper, the action's form, its service, redirect."""
    declared = ACTIONS[name]
    try:
        dossier = dossier_get_for_officer(user=request.user, code=code, action=name)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    form = declared.bind(dossier, request.POST, request.FILES)
    try:
        if form.is_valid():
            declared.perform(dossier=dossier, actor=request.user, form=form)
            messages.success(request, _action_done_message(declared, code))
            if form.next_step_here():
                return redirect("officer-dossier", code=code)
            return redirect("officer-workbench")
    except ValidationError as exc:
        _errors_to_form(form, exc)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except PortalError as exc:
        return _render_dossier(request, dossier, error=str(exc.message), status=exc.status_code)
    return _render_dossier(request, dossier, bound=form, bound_action=name, status=400)


def _action_done_message(declared: Any, code: str) -> str:
    """'Done (code)', with the slip the action hands over, to print in a new tab."""
    if not declared.slip:
        return f"{declared.done} ({code})"
    return format_html(
        '{} ({}) <a href="{}" target="_blank" rel="noopener">{}</a>',
        declared.done,
        code,
        reverse("officer-slip", args=[code, declared.slip]),
        _("In phiếu (mở trong thẻ mới)"),
    )


# --- Files and slips ------------------------------------------------------------------------


@login_required
def file_download(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    """A dossier file, after the access check; every download is recorded."""
    dossier = dossier_get_for_officer(user=request.user, code=code)
    inline = request.GET.get("xem") == "1"
    return dossier_file_response(
        dossier=dossier, user=request.user, file_id=file_id, as_attachment=not inline
    )


@login_required
def slip(request: HttpRequest, code: str, form: str) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, code=code)
    return slips.slip_pdf_response(dossier=dossier, form=form)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Mẫu 06, the register per field and period, as XLSX or PDF."""
    _officer_required(request)
    units = _scope_units(request)
    form = f.RegisterForm(request.GET or None, units=units)
    if form.is_valid():
        data = form.cleaned_data
        book = slips.register_build(
            unit_ids={data["unit"].pk}, field=data["field"], start=data["start"], end=data["end"]
        )
        name = f"so-theo-doi-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
        if data["format"] == "xlsx":
            response = HttpResponse(
                slips.register_xlsx(book),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = HttpResponse(
            slips.register_pdf(book, unit=data["unit"], user=request.user),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    return render(
        request, "dossiers/register.html", {"form": form}, status=400 if request.GET else 200
    )

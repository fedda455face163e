"""The online submission wizard (the letter's steps), kept step by step in a server-side draft.

/nop-ho-so/<procedure>/                    requirements, privacy notice, start or resume
/nop-ho-so/<procedure>/<token>/<step>/     one step; every POST is saved, valid or not
/nop-ho-so/<procedure>/<token>/da-nop/     what follows (citizens/views/submitted.py)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizens import address, services
from citizens.forms import CitizenForm
from citizens.models import Draft, DraftFile
from citizens.national import (
    applicant_initial,
    national_enabled,
    national_identity,
    national_session,
)
from citizens.quotas import UploadQuotaExceeded, upload_quota_take
from citizens.selectors import drafts_for
from citizens.submission import payment_methods
from citizens.views.common import captcha_fresh, session_draft_remember, session_draft_tokens
from citizens.views.wizard_flow import (
    STEP_OF,
    done_url,
    draft_for_request,
    draft_steps,
    step_context,
    step_next,
    step_titles,
    step_url,
    wizard_procedure,
)
from citizens.wizard_forms import (
    ADDRESS_FIELDS,
    ApplicantForm,
    ConfirmForm,
    DeliveryForm,
    UnitForm,
)
from dossiers.models import Dossier
from dossiers.services.core import procedure_fee
from dossiers.uploads import upload_accept_attribute, upload_validate
from portal.exceptions import PortalError, UploadTooLarge
from portal.params import param_int
from portal.throttling import client_key, rate_limit_hit, throttled_response
from procedures.models import Channel

# --- Start ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Level 3–4: requirements and a start button (or resume). Level 1–2: how to submit."""
    procedure = wizard_procedure(code)
    if not procedure.accepts_online:
        return render(request, "citizens/offline.html", {"procedure": procedure})
    if request.method == "POST":
        wait = rate_limit_hit(scope="draft", ident=client_key(request))  # drafts per client
        if wait is not None:
            return throttled_response(request, wait=wait)
        draft = services.draft_start(procedure=procedure, user=request.user)
        session_draft_remember(request, draft.token)
        return redirect(step_url(draft, draft_steps(draft)[0]))
    resumable = [
        d
        for d in drafts_for(user=request.user, tokens=session_draft_tokens(request))
        if d.procedure.code == procedure.code
    ]
    return render(
        request,
        "citizens/start.html",
        {
            "procedure": procedure,
            "resumable": resumable,
            "fee": procedure_fee(procedure=procedure, channel=Channel.ONLINE),
            "online_channel": procedure.channels.filter(channel=Channel.ONLINE).first(),
            "national_signin": national_enabled(),
            "national_signed_in": national_session(request.session, user_id=request.user.pk)
            is not None,
        },
    )


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, code: str, token: str, slug: str) -> HttpResponse:
    draft = draft_for_request(request, code, token)
    if draft.is_submitted:
        return redirect(done_url(draft))
    current = STEP_OF.get(slug)
    if current is None or current not in draft_steps(draft):
        raise Http404
    if current == "confirm" and request.method == "POST":  # submissions per client
        wait = rate_limit_hit(scope="submit", ident=client_key(request))
        if wait is not None:
            return throttled_response(request, wait=wait)
    handler = {
        "unit": _step_unit,
        "applicant": _step_applicant,
        "documents": _step_documents,
        "delivery": _step_delivery,
        "review": _step_review,
        "confirm": _step_confirm,
    }[current]
    return handler(request, draft)


def _raw(request: HttpRequest, names: list[str]) -> dict[str, Any]:
    return {n: request.POST.get(n, "") for n in names}


def _form_shown(
    draft: Draft,
    step: str,
    form_class: type[CitizenForm],
    default: Callable[[], dict[str, Any]],
    **kwargs: Any,
) -> CitizenForm:
    """A step's form on GET: its saved input with its errors when that did not pass, else as
    initial values (`default()` when nothing is saved yet)."""
    saved = draft.data.get(step)
    if saved and not services.draft_step_is_valid(draft, step):
        form = form_class(saved, **kwargs)
        form.is_valid()
        return form
    return form_class(initial=saved or default(), **kwargs)


def _step_unit(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "POST":
        form = UnitForm(request.POST, procedure=draft.procedure)
        valid = form.is_valid()
        draft = services.draft_save_step(
            draft=draft, step="unit", raw=_raw(request, ["unit"]), valid=valid
        )
        if valid:
            return step_next(draft, "unit", request)
    else:
        form = _form_shown(draft, "unit", UnitForm, dict, procedure=draft.procedure)
    units = {u.code: u for u in draft.procedure.units.all()}
    return render(
        request, "citizens/step_unit.html", step_context(draft, "unit", form=form, units=units)
    )


def _step_applicant(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "POST":
        raw = _raw(request, ApplicantForm.field_order)
        if "refresh_wards" in request.POST:
            # No-JS: the province changed; show its communes, keep everything typed.
            services.draft_save_step(draft=draft, step="applicant", raw=raw, valid=False)
            form = ApplicantForm(initial=raw)
        else:
            form = ApplicantForm(request.POST)
            valid = form.is_valid()
            if valid:
                raw["id_number"] = form.cleaned_data["id_number"]
                raw["phone_e164"] = form.cleaned_data["phone"]
                raw["email"] = form.cleaned_data["email"]
                raw["street"] = form.cleaned_data["street"].strip()
            draft = services.draft_save_step(draft=draft, step="applicant", raw=raw, valid=valid)
            if valid:
                return step_next(draft, "applicant", request)
    else:
        form = _form_shown(draft, "applicant", ApplicantForm, lambda: _applicant_initial(request))
    return render(
        request, "citizens/step_applicant.html", step_context(draft, "applicant", form=form)
    )


def _applicant_initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": Dossier.ApplicantKind.PERSON,
        "province": address.default_province(),
    }
    profile = (
        getattr(request.user, "citizen_profile", None) if request.user.is_authenticated else None
    )
    if profile is not None:
        from notifications.phone import phone_display

        initial.update(
            full_name=profile.full_name,
            email=profile.email or "",
            phone=phone_display(profile.phone) if profile.phone else "",
        )
    signed_in = national_session(request.session, user_id=request.user.pk)
    if signed_in is not None:  # the national account's user info, as its provider gave it
        initial.update(applicant_initial(signed_in.identity))
    return initial


def _step_documents(request: HttpRequest, draft: Draft) -> HttpResponse:
    documents = list(draft.procedure.documents.all().order_by("order", "id"))
    errors: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        remove = param_int(request.POST, "remove")
        if remove is not None:
            services.draft_file_remove(draft=draft, file_id=remove)
            _mark_documents(draft)
            return redirect(step_url(draft, "documents"))
        sent = [(d, u) for d in documents for u in request.FILES.getlist(f"document_{d.pk}")]
        try:  # counted before any file is checked or stored
            upload_quota_take(
                client=client_key(request), sizes=[u.size or 0 for _d, u in sent], draft=draft
            )
        except UploadQuotaExceeded as exc:
            errors[sent[0][0].pk], status, sent = [str(exc.message)], 429, []
        except ValidationError as exc:
            errors[sent[0][0].pk], sent = exc.messages, []
        for doc, upload in sent:
            try:
                incoming = upload_validate(upload, document=doc)
                services.draft_file_add(draft=draft, incoming=incoming)
            except UploadTooLarge as exc:
                errors.setdefault(doc.pk, []).append(str(exc.message))
                status = 413
            except ValidationError as exc:
                errors.setdefault(doc.pk, []).extend(exc.messages)
        complete = _mark_documents(draft)
        if not errors and request.POST.get("action") == "continue":
            if complete:
                return step_next(draft, "documents", request)
            for doc in services.draft_missing_documents(draft=draft):
                errors.setdefault(doc.pk, []).append(
                    _("Vui lòng đính kèm “%(doc)s” (giấy tờ bắt buộc).") % {"doc": doc.name}
                )
        elif not errors:
            return redirect(step_url(draft, "documents"))
    files = _files_by_document(draft)
    rows = [
        {
            "document": d,
            "files": files.get(d.pk, []),
            "errors": errors.get(d.pk, []),
            "input": f"document_{d.pk}",
        }
        for d in documents
    ]
    summary = [(f"id_document_{d.pk}", e) for d in documents for e in errors.get(d.pk, [])]
    return render(
        request,
        "citizens/step_documents.html",
        step_context(
            draft,
            "documents",
            rows=rows,
            summary=summary,
            accept=upload_accept_attribute(),
            max_size=filesizeformat(settings.UPLOAD_MAX_BYTES),
            extensions=upload_accept_attribute().replace(",", ", "),
        ),
        status=status,
    )


def _files_by_document(draft: Draft) -> dict[int, list[DraftFile]]:
    files: dict[int, list[DraftFile]] = {}
    for row in draft.files.all():
        files.setdefault(row.document_id, []).append(row)
    return files


def _mark_documents(draft: Draft) -> bool:
    complete = not services.draft_missing_documents(draft=draft)
    services.draft_save_step(draft=draft, step="documents", raw={}, valid=complete)
    return complete


DELIVERY_FIELDS = ["delivery", "copy_applicant_address", "province", "ward", "street"]


def _step_delivery(request: HttpRequest, draft: Draft) -> HttpResponse:
    applicant = draft.data.get("applicant", {})
    kwargs = {"procedure": draft.procedure, "applicant": applicant}
    if request.method == "POST":
        raw = _raw(request, DELIVERY_FIELDS)
        if "refresh_wards" in request.POST:
            services.draft_save_step(draft=draft, step="delivery", raw=raw, valid=False)
            form = DeliveryForm(initial=raw, **kwargs)
        else:
            form = DeliveryForm(request.POST, **kwargs)
            valid = form.is_valid()
            if valid:
                raw.update({n: form.cleaned_data[n] for n in ADDRESS_FIELDS})
            draft = services.draft_save_step(draft=draft, step="delivery", raw=raw, valid=valid)
            if valid:
                return step_next(draft, "delivery", request)
    else:
        counter = {"delivery": Dossier.Delivery.COUNTER}
        form = _form_shown(draft, "delivery", DeliveryForm, lambda: counter, **kwargs)
    return render(
        request,
        "citizens/step_delivery.html",
        step_context(
            draft,
            "delivery",
            form=form,
            applicant=applicant,
            applicant_address=services.draft_applicant(draft=draft).address,
        ),
    )


def _review_problems(draft: Draft) -> list[tuple[str, str]]:
    titles = step_titles()
    return [
        (step_url(draft, s), _("Chưa hoàn thành: %(step)s") % {"step": titles[s]})
        for s in draft_steps(draft)[:-2]
        if not services.draft_step_is_valid(draft, s)
    ]


def _summary(draft: Draft) -> dict[str, Any]:
    applicant = services.draft_applicant(draft=draft)
    delivery = draft.data.get("delivery", {}).get("delivery", Dossier.Delivery.COUNTER)
    files = _files_by_document(draft)
    return {
        "unit": services.draft_unit(draft=draft),
        "applicant": applicant,
        "applicant_raw": draft.data.get("applicant", {}),
        "delivery": delivery,
        "delivery_label": Dossier.Delivery(delivery).label,
        "delivery_address": services.draft_delivery_address(draft=draft),
        "documents": [
            {"document": d, "files": files.get(d.pk, [])}
            for d in draft.procedure.documents.all().order_by("order", "id")
        ],
        "fee": procedure_fee(procedure=draft.procedure, channel=Channel.ONLINE),
    }


def _step_review(request: HttpRequest, draft: Draft) -> HttpResponse:
    problems = _review_problems(draft)
    if request.method == "POST" and not problems:
        services.draft_save_step(draft=draft, step="review", raw={"seen": True}, valid=True)
        return step_next(draft, "review", request)
    return render(
        request,
        "citizens/step_review.html",
        step_context(
            draft,
            "review",
            problems=problems,
            summary=_summary(draft),
            urls={s: step_url(draft, s) for s in draft_steps(draft)},
        ),
    )


def _step_confirm(request: HttpRequest, draft: Draft) -> HttpResponse:
    steps = draft_steps(draft)
    for s in steps[:-1]:
        if not services.draft_step_is_valid(draft, s):
            return redirect(step_url(draft, s))
    summary = _summary(draft)
    methods = payment_methods(
        procedure=draft.procedure, delivery=summary["delivery"], fee=summary["fee"]
    )
    saved = draft.data.get("confirm", {})
    problem = ""
    if request.method == "POST":
        raw = {
            "payment_method": request.POST.get("payment_method", ""),
            "declaration": bool(request.POST.get("declaration")),
        }
        services.draft_save_step(draft=draft, step="confirm", raw=raw, valid=False)
        if "new_captcha" in request.POST:
            form = ConfirmForm(initial=raw, methods=methods)
        else:
            form = ConfirmForm(request.POST, methods=methods)
            if form.is_valid():
                try:
                    services.draft_submit(
                        draft=draft,
                        payment_method=form.cleaned_data["payment_method"],
                        captcha_key=form.cleaned_data["captcha_key"],
                        captcha_value=form.cleaned_data["captcha_value"],
                        citizen=request.user,
                        national=national_identity(request.session, user_id=request.user.pk),
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and "captcha_value" in exc.error_dict:
                        form.add_error("captcha_value", exc.error_dict["captcha_value"])
                    else:
                        problem = " ".join(exc.messages)
                except PortalError as exc:
                    problem = str(exc.message)
                else:
                    return redirect(done_url(draft))
    else:
        form = ConfirmForm(initial=saved, methods=methods)
    captcha = captcha_fresh(form)  # always a new one: one challenge answers once
    return render(
        request,
        "citizens/step_confirm.html",
        step_context(
            draft,
            "confirm",
            form=form,
            captcha=captcha,
            summary=summary,
            problem=problem,
            summary_errors=form.error_summary() if form.is_bound else [],
        ),
    )


@require_GET
def wards(request: HttpRequest, province: str) -> JsonResponse:
    """The communes of a province, for the address selects (small per-page JS)."""
    return JsonResponse(
        {"wards": [{"code": c, "name": n} for c, n in address.ward_choices(province)]}
    )

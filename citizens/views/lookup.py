"""Look-up (/tra-cuu/) and what the update key allows: supplement, withdraw, rate, resend.

The code alone never shows anything: a solved captcha shows the status with personal data
masked; the update key shows everything and opens the actions for half an hour (a proof kept
in the session, never the key itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from citizens import services
from citizens.captcha import captcha_check
from citizens.forms import (
    CitizenForm,
    KeyResendForm,
    LookupForm,
    RatingForm,
    SupplementForm,
    WithdrawForm,
)
from citizens.keys import dossier_key_resend
from citizens.selectors import dossier_status_document, mask_phone, supplement_answered_last
from citizens.views.common import access_grant, access_level, captcha_fresh, lookup_path
from dossiers.models import Dossier
from dossiers.services.citizen import (
    DossierNotFound,
    dossier_get_by_code,
    dossier_get_for_citizen,
    dossier_supplement_answer,
    dossier_withdraw_request,
    supplement_request_open,
)
from dossiers.uploads import upload_accept_attribute, upload_validate
from portal.exceptions import Locked, PortalError, UploadTooLarge
from portal.throttling import client_key, rate_limit


@require_http_methods(["GET", "POST"])
@rate_limit("lookup")  # per client (portal.throttling)
def lookup(request: HttpRequest) -> HttpResponse:
    """Code + key, or code + captcha. A wrong key is counted; the 10th locks for an hour."""
    status = 200
    problem = ""
    if request.method == "POST" and "new_captcha" not in request.POST:
        form = LookupForm(request.POST)
        if form.is_valid():
            code, key = form.cleaned_data["code"], form.cleaned_data["key"].strip()
            try:
                if key:
                    dossier = dossier_get_for_citizen(
                        code=code, key=key, client=client_key(request)
                    )
                    access_grant(request, dossier.code, level="key")
                    return redirect("citizen-dossier", dossier.code)
                if _captcha_solved(form):
                    dossier = dossier_get_by_code(code=code)
                    if dossier is None:
                        raise DossierNotFound(
                            _("Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã hồ sơ.")
                        )
                    access_grant(request, dossier.code, level="captcha")
                    return redirect("citizen-dossier", dossier.code)
            except Locked as exc:
                problem, status = str(exc.message), 429
            except PortalError as exc:
                problem, status = str(exc.message), exc.status_code
    elif request.method == "POST":
        form = LookupForm(initial={k: request.POST.get(k, "") for k in ("code", "key")})
    else:
        form = LookupForm(initial={"code": request.GET.get("code", "")})
    captcha = captcha_fresh(form)
    summary = form.error_summary() if form.is_bound else []
    return render(
        request,
        "citizens/lookup.html",
        {
            "form": form,
            "captcha": captcha,
            "problem": problem,
            "summary": summary,
        },
        status=status,
    )


def _captcha_solved(form: LookupForm | KeyResendForm) -> bool:
    """Whether the form's challenge is answered (used up either way); if not, it says so."""
    if captcha_check(
        key=form.cleaned_data["captcha_key"], value=form.cleaned_data["captcha_value"]
    ):
        return True
    form.add_error(
        "captcha_value", _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")
    )
    return False


def _dossier_for(request: HttpRequest, code: str, *, need_key: bool) -> tuple[Dossier, str]:
    level = access_level(request, code)
    dossier = dossier_get_by_code(code=code)
    # The account a dossier belongs to sees it as with the key.
    if (
        dossier is not None
        and request.user.is_authenticated
        and dossier.citizen_id == request.user.pk
    ):
        level = "key"
    if level is None or (need_key and level != "key"):
        raise _NeedKey
    if dossier is None:
        raise Http404
    return dossier, level


class _NeedKey(Exception):
    pass


def _to_lookup(request: HttpRequest, code: str, message: str = "") -> HttpResponse:
    if message:
        messages.info(request, message)
    return redirect(lookup_path(code))


def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier, level = _dossier_for(request, code, need_key=False)
    except _NeedKey:
        return _to_lookup(
            request, code, _("Vui lòng nhập mã tra cứu hoặc mã xác nhận để xem hồ sơ.")
        )
    doc = dossier_status_document(dossier=dossier, with_key=level == "key")
    return render(request, "citizens/dossier.html", {"doc": doc, "dossier": dossier})


@require_http_methods(["GET", "POST"])
@rate_limit("key")  # per client (portal.throttling)
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier, _level = _dossier_for(request, code, need_key=True)
    except _NeedKey:
        return _to_lookup(request, code, _("Vui lòng nhập mã tra cứu để bổ sung hồ sơ."))
    supplement_request = supplement_request_open(dossier=dossier)
    if dossier.status != Dossier.Status.SUPPLEMENT_REQUESTED or supplement_request is None:
        messages.info(request, _("Hồ sơ này hiện không có yêu cầu bổ sung."))
        return redirect("citizen-dossier", dossier.code)
    documents = list(supplement_request.documents.all())
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = SupplementForm(request.POST)
        incoming = []
        for doc in documents:
            for upload in request.FILES.getlist(f"document_{doc.pk}"):
                try:
                    incoming.append(upload_validate(upload, document=doc))
                except UploadTooLarge as exc:
                    errors.setdefault(f"document_{doc.pk}", []).append(str(exc.message))
                    status = 413
                except ValidationError as exc:
                    errors.setdefault(f"document_{doc.pk}", []).extend(exc.messages)
        if form.is_valid() and not errors:
            try:
                dossier_supplement_answer(
                    dossier=dossier, files=incoming, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    errors.setdefault(field, []).extend(msgs)
            except PortalError as exc:
                messages.error(request, str(exc.message))
                return redirect("citizen-dossier", dossier.code)
            else:
                return redirect("citizen-supplement-sent", dossier.code)
    else:
        form = SupplementForm()
    rows = [
        {"document": d, "input": f"document_{d.pk}", "errors": errors.get(f"document_{d.pk}", [])}
        for d in documents
    ]
    summary = [
        (f"id_document_{d.pk}", e) for d in documents for e in errors.get(f"document_{d.pk}", [])
    ]
    summary += [("", e) for e in errors.get("__all__", [])]
    return render(
        request,
        "citizens/supplement.html",
        {
            "dossier": dossier,
            "request_": supplement_request,
            "rows": rows,
            "form": form,
            "summary": summary + (form.error_summary() if form.is_bound else []),
            "accept": upload_accept_attribute(),
        },
        status=status,
    )


def supplement_sent(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation after a supplement (post, redirect, get): what was sent and when.

    Reloading it sends nothing again; going back to the form finds no open request.
    """
    try:
        dossier, _level = _dossier_for(request, code, need_key=True)
    except _NeedKey:
        return _to_lookup(request, code)
    answered = supplement_answered_last(dossier=dossier)
    if answered is None:
        return redirect("citizen-dossier", dossier.code)
    return render(request, "citizens/supplement_sent.html", {"dossier": dossier, **answered})


@require_http_methods(["GET", "POST"])
@rate_limit("key")  # per client (portal.throttling)
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    return _keyed_action(
        request,
        code,
        form_class=WithdrawForm,
        template="citizens/withdraw.html",
        need_key=_("Vui lòng nhập mã tra cứu để rút hồ sơ."),
        act=lambda dossier, data: dossier_withdraw_request(dossier=dossier, reason=data["reason"]),
        done=_("Đã gửi đề nghị rút hồ sơ. Cơ quan sẽ gửi thông báo dừng xử lý."),
    )


@require_http_methods(["GET", "POST"])
@rate_limit("key")  # per client (portal.throttling)
def rate(request: HttpRequest, code: str) -> HttpResponse:
    return _keyed_action(
        request,
        code,
        form_class=RatingForm,
        template="citizens/rate.html",
        need_key=_("Vui lòng nhập mã tra cứu để đánh giá."),
        act=lambda dossier, data: services.rating_create(
            dossier=dossier, score=data["score"], comment=data["comment"]
        ),
        done=_("Cảm ơn bạn đã đánh giá chất lượng phục vụ."),
    )


def _keyed_action(
    request: HttpRequest,
    code: str,
    *,
    form_class: type[CitizenForm],
    template: str,
    need_key: str,
    act: Callable[[Dossier, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A one-form action of the update key: the form, then `act` with its data; the outcome
    (`done`, or why not) is told on the dossier's page."""
    try:
        dossier, _level = _dossier_for(request, code, need_key=True)
    except _NeedKey:
        return _to_lookup(request, code, need_key)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(dossier, form.cleaned_data)
            except (PortalError, ValidationError) as exc:
                messages.error(request, str(getattr(exc, "message", exc)))
            else:
                messages.success(request, done)
            return redirect("citizen-dossier", dossier.code)
    else:
        form = form_class()
    return render(
        request,
        template,
        {
            "dossier": dossier,
            "form": form,
            "summary": form.error_summary() if form.is_bound else [],
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limit("key")  # per client (portal.throttling)
def key_resend(request: HttpRequest) -> HttpResponse:
    """Send a new update key to the phone registered on the dossier (code + captcha)."""
    problem = ""
    status = 200
    if request.method == "POST" and "new_captcha" not in request.POST:
        form = KeyResendForm(request.POST)
        if form.is_valid() and _captcha_solved(form):
            dossier = dossier_get_by_code(code=form.cleaned_data["code"])
            if dossier is None:
                form.add_error("code", _("Không tìm thấy hồ sơ có mã này."))
            else:
                try:
                    dossier_key_resend(dossier=dossier, client=client_key(request))
                except Locked as exc:
                    problem, status = str(exc.message), 429
                else:
                    messages.success(
                        request,
                        _(
                            "Mã tra cứu mới đã được gửi qua SMS tới số %(phone)s. Mã cũ vẫn "
                            "dùng được cho đến khi bạn dùng mã mới."
                        )
                        % {"phone": mask_phone(dossier.applicant_phone)},
                    )
                    return redirect(lookup_path(dossier.code))
    elif request.method == "POST":
        form = KeyResendForm(initial={"code": request.POST.get("code", "")})
    else:
        form = KeyResendForm(initial={"code": request.GET.get("code", "")})
    captcha = captcha_fresh(form)
    return render(
        request,
        "citizens/key_resend.html",
        {
            "form": form,
            "captcha": captcha,
            "problem": problem,
            "summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


@rate_limit("captcha", methods=("GET",))
def captcha_audio(request: HttpRequest, key: str) -> HttpResponse:
    """The challenge read out in Vietnamese (see citizens.captcha)."""
    from citizens.captcha import captcha_audio_wav, captcha_challenge_text

    challenge = captcha_challenge_text(key)
    if challenge is None:
        return HttpResponse(status=410)
    response = HttpResponse(captcha_audio_wav(challenge), content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    return response

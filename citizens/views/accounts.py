"""Optional citizens' accounts: register, log in, "Hồ sơ của tôi", claim, password reset.

Separate from the officers' login (/can-bo/dang-nhap/): only accounts with a CitizenProfile
log in here.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizens import services
from citizens.forms import ClaimForm, LoginForm, RegisterForm, ResetFinishForm, ResetStartForm
from citizens.models import CitizenProfile
from citizens.national import national_enabled, national_session
from citizens.selectors import drafts_for
from citizens.views.common import session_draft_tokens
from citizens.views.national import logout_redirect
from dossiers.services.citizen import dossier_claim, dossier_get_for_citizen
from portal.exceptions import PortalError
from portal.throttling import budget_give_back, budget_take, client_key

LOGIN_ATTEMPTS_PER_HOUR = 20


def citizen_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            not request.user.is_authenticated
            or not CitizenProfile.objects.filter(user_id=request.user.pk).exists()
        ):
            return redirect(reverse("citizen-login") + f"?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("citizen-my-dossiers")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_value = form.cleaned_data["login"]
        is_email = "@" in login_value
        try:
            user = services.citizen_register(
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                phone=None if is_email else login_value,
                email=login_value if is_email else None,
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Đã tạo tài khoản. Hồ sơ bạn nộp khi đăng nhập sẽ hiện trong “Hồ sơ của tôi”."),
            )
            return redirect(_safe_next(request))
    return render(
        request,
        "citizens/account_register.html",
        {"form": form, "summary": form.error_summary() if form.is_bound else []},
    )


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Each attempt takes its place in the client's hourly budget before any password is
        # checked (an atomic count: concurrent attempts cannot slip past it); a right
        # password gives its place back, so only failures use the budget up.
        budget = {"name": "citizen-login", "ident": client_key(request)}
        if not budget_take(**budget, limit=LOGIN_ATTEMPTS_PER_HOUR, seconds=3600):
            form.add_error(
                None, _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau một giờ.")
            )
        else:
            user = services.citizen_find(login=form.cleaned_data["login"])
            if user is None or not user.check_password(form.cleaned_data["password"]):
                form.add_error(None, _("Số điện thoại/thư điện tử hoặc mật khẩu không đúng."))
            else:
                budget_give_back(**budget)
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(_safe_next(request))
    return render(
        request,
        "citizens/account_login.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "summary": form.error_summary() if form.is_bound else [],
            "national_signin": national_enabled(),
        },
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    signed_in = national_session(request.session, user_id=request.user.pk)
    auth_logout(request)
    if signed_in is not None and national_enabled():
        return logout_redirect(request, signed_in)
    return redirect("home")


@citizen_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "citizens/account_dossiers.html",
        {
            "dossiers": services.citizen_dossiers(user=request.user),
            "drafts": drafts_for(user=request.user, tokens=session_draft_tokens(request)),
            "claim_form": ClaimForm(),
        },
    )


@require_POST
@citizen_required
def claim(request: HttpRequest) -> HttpResponse:
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            dossier = dossier_get_for_citizen(
                code=form.cleaned_data["code"],
                key=form.cleaned_data["key"],
                client=client_key(request),
            )
            dossier_claim(dossier=dossier, user=request.user)
        except PortalError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Đã thêm hồ sơ %(code)s vào tài khoản của bạn.") % {"code": dossier.code}
            )
    else:
        messages.error(request, _("Vui lòng nhập mã hồ sơ và mã tra cứu."))
    return redirect("citizen-my-dossiers")


@require_http_methods(["GET", "POST"])
def reset_start(request: HttpRequest) -> HttpResponse:
    form = ResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_start(login=form.cleaned_data["login"])
        request.session["citizen_reset_login"] = form.cleaned_data["login"]
        messages.info(
            request,
            _(
                "Nếu thông tin khớp với một tài khoản, mã đặt lại mật khẩu đã "
                "được gửi qua SMS hoặc thư điện tử."
            ),
        )
        return redirect("citizen-reset-finish")
    return render(
        request,
        "citizens/account_reset_start.html",
        {"form": form, "summary": form.error_summary() if form.is_bound else []},
    )


@require_http_methods(["GET", "POST"])
def reset_finish(request: HttpRequest) -> HttpResponse:
    form = ResetFinishForm(
        request.POST or None, initial={"login": request.session.get("citizen_reset_login", "")}
    )
    if request.method == "POST" and form.is_valid():
        if services.password_reset_finish(
            login=form.cleaned_data["login"],
            code=form.cleaned_data["code"],
            password=form.cleaned_data["password"],
        ):
            request.session.pop("citizen_reset_login", None)
            messages.success(request, _("Đã đặt mật khẩu mới. Mời bạn đăng nhập."))
            return redirect("citizen-login")
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn."))
    return render(
        request,
        "citizens/account_reset_finish.html",
        {"form": form, "summary": form.error_summary() if form.is_bound else []},
    )

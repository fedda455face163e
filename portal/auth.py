"""Officers' sign-in: the workbench login page's form and second step, the API token exchange
and the administration site's login page, which only sends to the officers' one (admin_login).
Used by dossiers.views.OfficerLoginView, dossiers.api.TokenView and portal.urls.

The lock-out after repeated failures is portal.login_lockout; the two-factor devices are
portal.totp_devices. Here:
- An officer with two-factor sign-in on is asked for the 6-digit code after the password
  (/can-bo/dang-nhap/ma-xac-thuc/); the API wants it in the `otp` field. Wrong codes count
  as failures.
- A staff session ends after OFFICER_SESSION_SECONDS (a working day); API tokens expire and
  are revoked when two-factor sign-in is turned on (portal.tokens).
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from portal.exceptions import Locked
from portal.login_lockout import (
    login_assert_not_locked,
    login_failure_record,
    login_success_record,
    officer_authenticate,
)
from portal.models import Membership
from portal.throttling import client_ip
from portal.totp import totp_uri
from portal.totp_devices import (
    totp_device_of,
    totp_disable,
    totp_enabled_for,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_data_uri,
    totp_verify,
)

# How long the password step stays valid while the officer fetches the code.
TOTP_PENDING_SECONDS = 5 * 60
SESSION_PENDING = "portal_totp_pending"


# --- API: the token exchange ----------------------------------------------------------------


def officer_token_user(*, request: Any, data: Any) -> Any:
    """The user behind a token request {username, password[, otp]}, or raise.

    Raises Locked (429) while locked and DRF's AuthenticationFailed-shaped ValidationError
    (400, as AuthTokenSerializer did) on a wrong password or code.
    """
    from rest_framework import serializers

    class Credentials(serializers.Serializer):
        # CharField refuses NUL characters (PostgreSQL cannot store them), lists and objects.
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)
        otp = serializers.CharField(max_length=12, required=False, allow_blank=True)

    credentials = Credentials(data=data)
    credentials.is_valid(raise_exception=True)
    data = credentials.validated_data
    username = data["username"]
    client = client_ip(request)
    user = officer_authenticate(
        request=getattr(request, "_request", request),
        username=username,
        password=data["password"],
        client=client,
    )
    if user is None:
        raise serializers.ValidationError({"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")})
    if totp_enabled_for(user=user):
        otp = str(data.get("otp", "") or "")
        if not otp:
            raise serializers.ValidationError(
                {
                    "otp": [_("Tài khoản bật xác thực hai bước: nhập mã 6 chữ số (trường otp).")],
                    "detail": _("Cần mã xác thực hai bước."),
                }
            )
        if not totp_verify(user=user, code=otp):
            login_failure_record(username=username, client=client, reason="totp")
            login_assert_not_locked(username=username, client=client)
            raise serializers.ValidationError(
                {"otp": [_("Mã xác thực không đúng.")], "detail": _("Mã xác thực không đúng.")}
            )
    login_success_record(username=username, client=client)
    return user


# --- Pages ------------------------------------------------------------------------------------


class OfficerAuthenticationForm(AuthenticationForm):
    """Django's login form, behind the lock-out service."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": gettext_lazy("Tài khoản này đã bị khóa."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            client = client_ip(self.request) if self.request is not None else ""
            try:
                user = officer_authenticate(
                    request=self.request, username=username, password=password, client=client
                )
            except Locked as exc:
                raise ValidationError(str(exc.message), code="locked") from None
            if user is None:
                raise self.get_invalid_login_error()
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return str(settings.LOGIN_REDIRECT_URL)


def _staff_login(request: HttpRequest, user: Any, backend: str | None = None) -> None:
    """Sign in for a working day, not for SESSION_COOKIE_AGE as citizens are."""
    auth_login(request, user, backend=backend)
    request.session.set_expiry(settings.OFFICER_SESSION_SECONDS)


def officer_login_complete(request: HttpRequest, *, user: Any, next_url: str) -> HttpResponse:
    """After a good password: sign in, or, with two-factor on, ask for the code first."""
    client = client_ip(request)
    if totp_enabled_for(user=user):
        request.session[SESSION_PENDING] = {
            "user_id": user.pk,
            "next": next_url,
            "backend": getattr(user, "backend", ""),
            "until": time.time() + TOTP_PENDING_SECONDS,
        }
        return redirect("officer-totp-verify")
    login_success_record(username=user.get_username(), client=client)
    _staff_login(request, user)
    return HttpResponseRedirect(_safe_next(request, next_url))


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực (6 chữ số)"),
        max_length=12,
        help_text=gettext_lazy("Mở ứng dụng xác thực trên điện thoại và nhập mã đang hiển thị."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def officer_totp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the officers' sign-in."""
    pending = request.session.get(SESSION_PENDING)
    user = None
    if pending and pending.get("until", 0) >= time.time():
        user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:  # no password step, an expired one, or the account is gone
        request.session.pop(SESSION_PENDING, None)
        return redirect("officer-login")
    username, client = user.get_username(), client_ip(request)
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            login_assert_not_locked(username=username, client=client)
            if totp_verify(user=user, code=form.cleaned_data["code"]):
                request.session.pop(SESSION_PENDING, None)
                login_success_record(username=username, client=client)
                _staff_login(request, user, backend=pending.get("backend") or None)
                return HttpResponseRedirect(_safe_next(request, pending.get("next", "")))
            login_failure_record(username=username, client=client, reason="totp")
            login_assert_not_locked(username=username, client=client)
            form.add_error("code", _("Mã xác thực không đúng hoặc đã được dùng."))
            status = 400
        except Locked as exc:
            request.session.pop(SESSION_PENDING, None)
            form.add_error(None, str(exc.message))
            status = 429
    elif request.method == "POST":
        status = 400
    return render(request, "portal/totp_verify.html", {"form": form}, status=status)


@sensitive_post_parameters("code")
@login_required
def officer_totp_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan the QR code, confirm a code) or off (with a code)."""
    user = request.user
    if not (getattr(user, "is_superuser", False) or Membership.objects.filter(user=user).exists()):
        raise PermissionDenied(_("Chỉ dành cho cán bộ."))
    enabled = totp_enabled_for(user=user)
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        done = (
            totp_disable(user=user, code=code)
            if enabled
            else totp_enrolment_confirm(user=user, code=code)
        )
        if done:
            from django.contrib import messages

            messages.success(
                request,
                _("Đã tắt xác thực hai bước.")
                if enabled
                else _(
                    "Đã bật xác thực hai bước. Từ nay mỗi lần đăng nhập cần nhập mã từ ứng dụng."
                ),
            )
            return redirect("officer-totp-setup")
        form.add_error("code", _("Mã xác thực không đúng hoặc đã được dùng."))
        status = 400
    elif request.method == "POST":
        status = 400
    context: dict[str, Any] = {"form": form, "enabled": enabled}
    if not enabled:
        # The secret shown stays the same across reloads until it is confirmed.
        device = totp_device_of(user=user) or totp_enrolment_start(user=user)
        uri = totp_uri(secret=device.secret, account=user.get_username())
        context |= {"secret": device.secret, "qr": totp_qr_data_uri(uri=uri)}
    return render(request, "portal/totp_setup.html", context, status=status)


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The administration site's login page (admin.site.login): there is one sign-in for
    staff, the officers' one, with its lock-out, audit rows and second step. A signed-in
    administrator goes on; a signed-in user without admin rights is refused, not sent round."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    next_url = request.GET.get("next", "") or reverse("admin:index")
    if admin.site.has_permission(request):
        return HttpResponseRedirect(_safe_next(request, next_url))
    if request.user.is_authenticated:
        raise PermissionDenied(_("Tài khoản này không có quyền quản trị hệ thống."))
    return redirect_to_login(next_url, reverse("officer-login"))


def officer_totp_urls() -> list[Any]:
    """The URL patterns of the second step and the set-up page (included by portal.urls)."""
    from django.urls import path

    return [
        path("can-bo/dang-nhap/ma-xac-thuc/", officer_totp_verify, name="officer-totp-verify"),
        path("can-bo/xac-thuc-hai-buoc/", officer_totp_setup, name="officer-totp-setup"),
    ]


__all__ = [
    "OfficerAuthenticationForm",
    "admin_login",
    "officer_login_complete",
    "officer_token_user",
    "officer_totp_urls",
]

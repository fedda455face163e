"""Officers' sign-in: throttling and lock-out after repeated failures, and the optional TOTP
second step. Used by the workbench login page (dossiers.views.OfficerLoginView), by the API
token exchange (dossiers.api.TokenView) and by the administration site, whose own login page
only sends to the officers' one (admin_login).

Rules:
- 5 failed attempts for one username from one client address within 15 minutes lock that
  username for that address for 15 minutes (`LOGIN_MAX_FAILURES`, `LOGIN_LOCK_SECONDS`);
  50 failures from one address, whatever the usernames, lock the address. While locked,
  even the right password is refused, with a translated message (429 in the API).
- Every failure and every lock is written to portal.AuditLog; a success clears the count.
- An officer who turned two-factor sign-in on (portal.models.OfficerTOTP confirmed) is not
  signed in by the password alone: the page asks for the 6-digit code next
  (/can-bo/dang-nhap/ma-xac-thuc/); the API wants it in the `otp` field. Wrong codes count
  as failures. Each code is good once.
- A staff session ends after OFFICER_SESSION_SECONDS (a working day); API tokens expire and
  are revoked when two-factor sign-in is turned on (portal.tokens).
- Counters live in the cache (Redis in production). If the cache is down the counting is
  skipped (logged): the password is still checked.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from portal.exceptions import Locked
from portal.models import AuditLog, Membership, OfficerTOTP
from portal.throttling import client_ip
from portal.tokens import api_tokens_revoke
from portal.totp import totp_match, totp_secret_new, totp_uri

logger = logging.getLogger(__name__)

LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_LOCK_SECONDS = 15 * 60
LOGIN_MAX_FAILURES_PER_CLIENT = 50
# How long the password step stays valid while the officer fetches the code.
TOTP_PENDING_SECONDS = 5 * 60
SESSION_PENDING = "portal_totp_pending"


# --- Lock-out service -------------------------------------------------------------------------


def _username_key(username: str) -> str:
    return str(username or "").strip().lower()[:150]


def _keys(*, username: str, client: str) -> dict[str, str]:
    # Hashed: usernames and addresses may hold any character; cache keys must stay plain.
    name = hashlib.sha256(_username_key(username).encode()).hexdigest()[:32]
    client = hashlib.sha256(client.encode()).hexdigest()[:32]
    return {
        "fail_user": f"login:fail:{client}:{name}",
        "lock_user": f"login:lock:{client}:{name}",
        "fail_client": f"login:fail:{client}",
        "lock_client": f"login:lock:{client}",
    }


def _cache_safely(default: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception:
        logger.warning("login throttling skipped: cache unavailable", exc_info=True)
        return default


def login_locked_for(*, username: str, client: str) -> int:
    """Seconds left on a lock of this username from this client (or of the client), else 0."""
    keys = _keys(username=username, client=client)
    found = _cache_safely({}, cache.get_many, [keys["lock_user"], keys["lock_client"]])
    until = max((float(v) for v in found.values()), default=0.0)
    return max(0, int(until - time.time() + 0.999))


def login_assert_not_locked(*, username: str, client: str) -> None:
    """Raise Locked (429, translated) while this username or this client is locked."""
    left = login_locked_for(username=username, client=client)
    if left:
        minutes = max(1, (left + 59) // 60)
        raise Locked(
            _(
                "Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại "
                "sau %(minutes)d phút."
            )
            % {"minutes": minutes},
            extra={"retry_after": left},
        )


def _incr(key: str) -> int:
    if cache.add(key, 1, LOGIN_WINDOW_SECONDS):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, LOGIN_WINDOW_SECONDS)
        return 1


def login_failure_record(*, username: str, client: str, reason: str = "password") -> bool:
    """Count a failed attempt and write it to the audit log; lock at the thresholds.
    Whether this failure locked the username (or the client)."""
    keys = _keys(username=username, client=client)
    user = get_user_model().objects.filter(username=str(username).strip()).first()
    AuditLog.objects.create(
        actor=None,
        action="officer_login_failed",
        target=_username_key(username),
        details={"client": client, "reason": reason, "user_id": user.pk if user else None},
    )
    per_user = _cache_safely(0, _incr, keys["fail_user"])
    per_client = _cache_safely(0, _incr, keys["fail_client"])
    locked = False
    until = time.time() + LOGIN_LOCK_SECONDS
    if per_user >= LOGIN_MAX_FAILURES:
        _cache_safely(None, cache.set, keys["lock_user"], until, LOGIN_LOCK_SECONDS)
        _cache_safely(None, cache.delete, keys["fail_user"])
        locked = True
        AuditLog.objects.create(
            actor=None,
            action="officer_login_locked",
            target=_username_key(username),
            details={
                "client": client,
                "failures": per_user,
                "seconds": LOGIN_LOCK_SECONDS,
                "user_id": user.pk if user else None,
            },
        )
    if per_client >= LOGIN_MAX_FAILURES_PER_CLIENT:
        _cache_safely(None, cache.set, keys["lock_client"], until, LOGIN_LOCK_SECONDS)
        _cache_safely(None, cache.delete, keys["fail_client"])
        locked = True
        AuditLog.objects.create(
            actor=None,
            action="officer_login_client_locked",
            target=client,
            details={"failures": per_client, "seconds": LOGIN_LOCK_SECONDS},
        )
    return locked


def login_success_record(*, username: str, client: str) -> None:
    """A good sign-in clears this username's failures from this client."""
    _cache_safely(None, cache.delete, _keys(username=username, client=client)["fail_user"])


def officer_authenticate(
    *, request: HttpRequest | None, username: str, password: str, client: str
) -> Any:
    """Check the lock, then the password. The user, or None (failure counted). Raises Locked.

    The lock is checked first, so a locked account gives nothing away, not even whether the
    password was right.
    """
    login_assert_not_locked(username=username, client=client)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, client=client)
        login_assert_not_locked(username=username, client=client)  # this failure locked it
        return None
    return user


# --- Two-factor (TOTP) service ----------------------------------------------------------------


def totp_device_of(*, user: Any) -> OfficerTOTP | None:
    if not getattr(user, "pk", None):
        return None
    return OfficerTOTP.objects.filter(user=user).first()


def totp_enabled_for(*, user: Any) -> bool:
    device = totp_device_of(user=user)
    return device is not None and device.confirmed_at is not None


def totp_enrolment_start(*, user: Any) -> OfficerTOTP:
    """A new secret for the officer, not yet in force (a previous unconfirmed one is
    replaced; a confirmed one is kept until the officer turns it off)."""
    device = totp_device_of(user=user)
    if device is not None and device.confirmed_at is not None:
        return device
    if device is None:
        device = OfficerTOTP(user=user)
    device.secret = totp_secret_new()
    device.last_step = 0
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def totp_verify(*, user: Any, code: str, at: Any = None) -> bool:
    """Whether `code` is the officer's current code and was not used before. The device row is
    locked so two requests cannot both spend one code."""
    device = OfficerTOTP.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = totp_match(secret=device.secret, code=code, at=at or timezone.now())
    if step is None or step <= device.last_step:
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    return True


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, code: str) -> bool:
    """Turn two-factor sign-in on once the officer proves the app shows the right code."""
    if not totp_verify(user=user, code=code):
        return False
    OfficerTOTP.objects.filter(user=user).update(confirmed_at=timezone.now())
    api_tokens_revoke(user=user)  # got with the password alone
    AuditLog.objects.create(actor=user, action="officer_totp_enabled", target=user.username)
    return True


@transaction.atomic
def totp_disable(*, user: Any, code: str) -> bool:
    """Turn it off, with a current code (a stolen session alone cannot)."""
    if not totp_verify(user=user, code=code):
        return False
    OfficerTOTP.objects.filter(user=user).delete()
    AuditLog.objects.create(actor=user, action="officer_totp_disabled", target=user.username)
    return True


def totp_qr_data_uri(*, uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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
    username = credentials.validated_data["username"]
    password = credentials.validated_data["password"]
    data = credentials.validated_data
    client = client_ip(request)
    user = officer_authenticate(
        request=getattr(request, "_request", request),
        username=username,
        password=password,
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
    if not pending or pending.get("until", 0) < time.time():
        request.session.pop(SESSION_PENDING, None)
        return redirect("officer-login")
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(SESSION_PENDING, None)
        return redirect("officer-login")
    client = client_ip(request)
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            login_assert_not_locked(username=user.get_username(), client=client)
            if totp_verify(user=user, code=form.cleaned_data["code"]):
                request.session.pop(SESSION_PENDING, None)
                login_success_record(username=user.get_username(), client=client)
                _staff_login(request, user, backend=pending.get("backend") or None)
                return HttpResponseRedirect(_safe_next(request, pending.get("next", "")))
            login_failure_record(username=user.get_username(), client=client, reason="totp")
            login_assert_not_locked(username=user.get_username(), client=client)
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
    "login_assert_not_locked",
    "login_failure_record",
    "login_success_record",
    "officer_authenticate",
    "officer_login_complete",
    "officer_token_user",
    "totp_enabled_for",
    "totp_verify",
]

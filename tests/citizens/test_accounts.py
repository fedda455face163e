"""Optional citizens' accounts: register, log in, my dossiers, claim, password reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from citizens.models import CitizenProfile, Draft
from citizens.services import citizen_register
from dossiers.models import Dossier
from notifications.models import EmailMessage, SmsMessage

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-rat-kho-2025"


def _register(client, login="0912 345 678", name="Nguyễn Văn An"):
    return client.post(
        reverse("citizen-register"),
        {"full_name": name, "login": login, "password": PASSWORD, "password2": PASSWORD},
    )


def test_register_with_a_phone_logs_in_and_opens_my_dossiers(client):
    response = _register(client)
    assert response.status_code == 302
    profile = CitizenProfile.objects.get()
    assert profile.phone == "+84912345678"
    assert profile.email is None
    assert client.get(reverse("citizen-my-dossiers")).status_code == 200


def test_register_with_an_email(client):
    _register(client, login="An@Example.VN")
    assert CitizenProfile.objects.get().email == "an@example.vn"


def test_register_refuses_a_taken_phone_a_bad_phone_and_a_weak_password(client):
    _register(client)
    client.logout()
    assert "đã có tài khoản" in _register(client).content.decode()
    assert "không hợp lệ" in _register(client, login="12345").content.decode()
    response = client.post(
        reverse("citizen-register"),
        {"full_name": "A", "login": "0987654321", "password": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert CitizenProfile.objects.count() == 1


def test_login_by_phone_in_any_format(client):
    citizen_register(full_name="An", password=PASSWORD, phone="+84912345678")
    response = client.post(
        reverse("citizen-login"), {"login": "84 912 345 678", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("citizen-my-dossiers")


def test_login_refuses_a_wrong_password(client):
    citizen_register(full_name="An", password=PASSWORD, email="an@example.vn")
    response = client.post(reverse("citizen-login"), {"login": "an@example.vn", "password": "sai"})
    assert "không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_officer_cannot_log_in_on_the_citizens_page(client, officer):
    response = client.post(reverse("citizen-login"), {"login": "officer", "password": "pw-officer"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    client.force_login(officer)
    assert client.get(reverse("citizen-my-dossiers")).status_code == 302


def test_login_is_limited_per_client(client):
    citizen_register(full_name="An", password=PASSWORD, email="an@example.vn")
    for _ in range(20):
        client.post(reverse("citizen-login"), {"login": "an@example.vn", "password": "x"})
    response = client.post(
        reverse("citizen-login"), {"login": "an@example.vn", "password": PASSWORD}
    )
    assert "quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_ignores_an_offsite_next(client):
    citizen_register(full_name="An", password=PASSWORD, email="an@example.vn")
    response = client.post(
        reverse("citizen-login") + "?next=https://evil.example/",
        {"login": "an@example.vn", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("citizen-my-dossiers")


def test_a_dossier_submitted_while_logged_in_is_listed_and_opens_without_the_key(
    client, wizard, commune
):
    _register(client)
    wizard.all_steps(commune)
    dossier = Dossier.objects.get()
    assert dossier.citizen is not None
    page = client.get(reverse("citizen-my-dossiers")).content.decode()
    assert dossier.code in page
    detail = client.get(reverse("citizen-dossier", args=[dossier.code])).content.decode()
    assert "012345678901" in detail


def test_claim_a_dossier_with_its_key(client, dossier_and_key):
    dossier, key = dossier_and_key
    _register(client, login="0987654321")
    response = client.post(reverse("citizen-claim"), {"code": dossier.code, "key": "WRONG234"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.citizen is None
    client.post(reverse("citizen-claim"), {"code": dossier.code, "key": key})
    dossier.refresh_from_db()
    assert dossier.citizen.citizen_profile.phone == "+84987654321"
    assert dossier.code in client.get(reverse("citizen-my-dossiers")).content.decode()


def test_a_claimed_dossier_cannot_be_claimed_by_another_account(client, dossier_and_key):
    from django.test import Client

    dossier, key = dossier_and_key
    _register(client, login="0987654321")
    client.post(reverse("citizen-claim"), {"code": dossier.code, "key": key})
    other = Client()
    _register(other, login="0911111111")
    other.post(reverse("citizen-claim"), {"code": dossier.code, "key": key})
    dossier.refresh_from_db()
    assert dossier.citizen.citizen_profile.phone == "+84987654321"


def test_drafts_follow_the_account_to_another_browser(client, wizard, commune):
    from django.test import Client

    _register(client)
    wizard.start()
    wizard.unit(commune.code)
    draft = Draft.objects.get()
    assert draft.user is not None
    other = Client()
    other.post(reverse("citizen-login"), {"login": "0912345678", "password": PASSWORD})
    page = other.get(reverse("citizen-my-dossiers")).content.decode()
    assert draft.token in page
    assert other.get(wizard.url("nguoi-nop")).status_code == 200


def _code_from(body: str) -> str:
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_password_reset_by_sms(client):
    citizen_register(full_name="An", password=PASSWORD, phone="+84912345678")
    response = client.post(reverse("citizen-reset-start"), {"login": "0912345678"})
    assert response.status_code == 302
    sms = SmsMessage.objects.get()
    assert sms.to == "+84912345678"
    code = _code_from(sms.body)
    finish = reverse("citizen-reset-finish")
    assert (
        "không đúng"
        in client.post(
            finish,
            {
                "login": "0912345678",
                "code": "000000" if code != "000000" else "111111",
                "password": "Mot-mat-khau-moi-9",
            },
        ).content.decode()
    )
    response = client.post(
        finish, {"login": "0912345678", "code": code, "password": "Mot-mat-khau-moi-9"}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(citizen_profile__phone="+84912345678")
    assert user.check_password("Mot-mat-khau-moi-9")
    # A code works once.
    assert (
        client.post(
            finish, {"login": "0912345678", "code": code, "password": "Lai-mot-mat-khau-8"}
        ).status_code
        == 200
    )


def test_password_reset_by_email(client):
    citizen_register(full_name="An", password=PASSWORD, email="an@example.vn")
    client.post(reverse("citizen-reset-start"), {"login": "an@example.vn"})
    email = EmailMessage.objects.get()
    assert email.to == "an@example.vn"
    code = _code_from(email.body)
    client.post(
        reverse("citizen-reset-finish"),
        {"login": "an@example.vn", "code": code, "password": "Mot-mat-khau-moi-9"},
    )
    assert get_user_model().objects.get(email="an@example.vn").check_password("Mot-mat-khau-moi-9")


def test_password_reset_does_not_reveal_unknown_accounts(client):
    response = client.post(reverse("citizen-reset-start"), {"login": "0999999999"})
    assert response.status_code == 302
    assert SmsMessage.objects.count() == 0


def test_five_wrong_reset_codes_burn_the_code(client):
    citizen_register(full_name="An", password=PASSWORD, phone="+84912345678")
    client.post(reverse("citizen-reset-start"), {"login": "0912345678"})
    code = _code_from(SmsMessage.objects.get().body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(
            reverse("citizen-reset-finish"),
            {"login": "0912345678", "code": wrong, "password": "Mot-mat-khau-moi-9"},
        )
    client.post(
        reverse("citizen-reset-finish"),
        {"login": "0912345678", "code": code, "password": "Mot-mat-khau-moi-9"},
    )
    user = get_user_model().objects.get(citizen_profile__phone="+84912345678")
    assert user.check_password(PASSWORD)


def test_register_service_needs_a_phone_or_an_email():
    with pytest.raises(ValidationError):
        citizen_register(full_name="An", password=PASSWORD)

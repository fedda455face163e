"""The national sign-in (OpenID Connect, code flow) against a real provider started locally
(tests/fakes/oidc_provider.mjs), through the provider's own login and consent pages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from citizens.models import CitizenProfile
from citizens.national import SESSION_KEY
from dossiers.models import Dossier
from tests.citizens.conftest import APPLICANT_POST, Wizard
from tests.fakes.oidc import CITIZEN, CLIENT_ID, ENTERPRISE, OidcProvider, free_port

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
CALLBACK = SITE + "/tai-khoan/dang-nhap-quoc-gia/ve/"
START = "/tai-khoan/dang-nhap-quoc-gia/"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider(redirect_uris=[CALLBACK], post_logout_uris=[SITE + "/"]) as running:
        yield running


@pytest.fixture
def national(settings, provider: OidcProvider) -> OidcProvider:
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.SITE_URL = SITE
    return provider


def go_to_provider(client: Client, next_url: str = "") -> str:
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content.decode()[:500]
    return response.url


def sign_in(client: Client, provider: OidcProvider, login: str, next_url: str = "") -> object:
    back = provider.sign_in(go_to_provider(client, next_url), login=login)
    assert back.startswith(CALLBACK), back
    parts = urlsplit(back)
    return client.get(parts.path, parse_qs(parts.query))


def test_the_authorize_request_asks_openid_with_loa1_state_nonce_and_pkce(client, national):
    url = go_to_provider(client)
    assert url.startswith(national.issuer + "/auth?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["openid"]
    assert query["acr_values"] == ["LoA1"]
    assert query["redirect_uri"] == [CALLBACK]
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert query["code_challenge_method"] == ["S256"]


def test_a_first_sign_in_makes_the_account_and_a_second_one_reuses_it(client, national):
    response = sign_in(client, national, CITIZEN["login"], next_url="/tra-cuu/")
    assert response.status_code == 302
    assert response.url == "/tra-cuu/"
    profile = CitizenProfile.objects.get()
    assert profile.tech_id == CITIZEN["TechID"]
    assert profile.id_number == CITIZEN["SoDinhDanh"]
    assert profile.full_name == "Nguyễn Văn An"
    assert profile.user.get_full_name() == "Nguyễn Văn An"  # whole, as written
    assert profile.phone == "+84912345678"
    assert profile.national_kind == "1"
    assert not profile.user.has_usable_password()
    assert client.session["_auth_user_id"] == str(profile.user_id)
    stored = client.session[SESSION_KEY]
    assert stored["claims"]["tech_id"] == CITIZEN["TechID"]
    assert stored["id_token"].count(".") == 2  # the signed ID token, for the sign-out
    # "Hồ sơ của tôi" opens: the account is a citizen's.
    assert client.get(reverse("citizen-my-dossiers")).status_code == 200

    again = Client()
    assert sign_in(again, national, CITIZEN["login"]).status_code == 302
    assert CitizenProfile.objects.count() == 1
    assert get_user_model().objects.count() == 1
    assert again.session["_auth_user_id"] == str(profile.user_id)


def test_an_existing_account_with_the_tech_id_is_signed_in(client, national):
    user = get_user_model().objects.create_user(username="cd-+84911111111", password="x-pw-123")
    CitizenProfile.objects.create(
        user=user, full_name="An", phone="+84911111111", tech_id=CITIZEN["TechID"]
    )
    assert sign_in(client, national, CITIZEN["login"]).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    profile = CitizenProfile.objects.get()
    assert profile.phone == "+84911111111"  # the phone it logs in with is kept
    assert profile.full_name == "Nguyễn Văn An"  # the national account's name wins


def test_without_the_tech_id_the_personal_id_number_links_the_account(client, national, caplog):
    user = get_user_model().objects.create_user(username="cd-old", password="x-pw-123")
    CitizenProfile.objects.create(
        user=user,
        full_name="An",
        email="an@example.vn",
        tech_id="OLD-DVCQG-ACCOUNT",
        id_number=CITIZEN["SoDinhDanh"],
        national_kind="1",
    )
    with caplog.at_level(logging.INFO, logger="citizens.national"):
        assert sign_in(client, national, CITIZEN["login"]).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert CitizenProfile.objects.get().tech_id == CITIZEN["TechID"]
    assert "linked by identity number" in caplog.text


def test_an_enterprise_account_is_linked_by_its_tax_code(client, national):
    user = get_user_model().objects.create_user(username="cd-abc", password="x-pw-123")
    CitizenProfile.objects.create(
        user=user, full_name="ABC", email="abc@example.vn", tax_code=ENTERPRISE["MaSoThue"]
    )
    assert sign_in(client, national, ENTERPRISE["login"]).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    profile = CitizenProfile.objects.get()
    assert (profile.tech_id, profile.national_kind) == (ENTERPRISE["TechID"], "2")


def test_a_password_account_with_the_same_phone_is_not_taken_over(client, national):
    user = get_user_model().objects.create_user(username="cd-+84912345678", password="x-pw-123")
    CitizenProfile.objects.create(user=user, full_name="Someone", phone="+84912345678")
    assert sign_in(client, national, CITIZEN["login"]).status_code == 302
    assert client.session["_auth_user_id"] != str(user.pk)
    made = CitizenProfile.objects.get(tech_id=CITIZEN["TechID"])
    assert made.phone is None  # the number stays the other account's login
    assert made.email == "nguyenvana@example.vn"


def test_a_bad_state_is_refused_and_nothing_is_made(client, national, caplog):
    back = national.sign_in(go_to_provider(client), login=CITIZEN["login"])
    query = parse_qs(urlsplit(back).query)
    query["state"] = ["forged-state-value"]
    with caplog.at_level(logging.WARNING, logger="citizens.national"):
        response = client.get(urlsplit(back).path, query)
    assert response.status_code == 400
    assert "Phiên đăng nhập không hợp lệ hoặc đã hết hạn" in response.content.decode()
    assert not CitizenProfile.objects.exists()
    assert "_auth_user_id" not in client.session
    assert "state" in caplog.text


def test_a_callback_in_another_browser_is_refused(client, national):
    back = national.sign_in(go_to_provider(client), login=CITIZEN["login"])
    other = Client()
    response = other.get(urlsplit(back).path, parse_qs(urlsplit(back).query))
    assert response.status_code == 400
    assert not CitizenProfile.objects.exists()


def test_the_provider_error_is_shown_and_nothing_is_made(client, national, caplog):
    url = go_to_provider(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    # What the provider answers when the citizen cancels on its pages.
    with caplog.at_level(logging.WARNING, logger="citizens.national"):
        response = client.get(
            reverse("citizen-national-callback"),
            {"error": "access_denied", "error_description": "End-User aborted", "state": state},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không đăng nhập được bằng tài khoản quốc gia" in page
    assert "access_denied" in page
    assert not CitizenProfile.objects.exists()
    assert "access_denied" in caplog.text


def test_a_refused_code_exchange_is_a_clear_message(client, national, settings):
    settings.NATIONAL_OIDC_CLIENT_SECRET = "not-the-secret"
    response = sign_in(client, national, CITIZEN["login"])
    assert response.status_code == 400
    assert "không xác nhận được phiên đăng nhập" in response.content.decode()
    assert not CitizenProfile.objects.exists()


def test_an_unreachable_userinfo_endpoint_is_a_clear_message(client, national, settings):
    settings.NATIONAL_OIDC_USERINFO_URL = f"http://127.0.0.1:{free_port()}/me"
    response = sign_in(client, national, CITIZEN["login"])
    assert response.status_code == 502
    assert "Không kết nối được dịch vụ đăng nhập quốc gia" in response.content.decode()
    assert not CitizenProfile.objects.exists()


def test_user_info_without_tech_id_signs_nobody_in(client, settings):
    accounts = {"notech": {"SoDinhDanh": "012345678902", "HoVaTen": "Lò Thị Mai", "IAL": "2"}}
    with OidcProvider(redirect_uris=[CALLBACK], accounts=accounts) as provider:
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        settings.SITE_URL = SITE
        response = sign_in(client, provider, "notech")
    assert response.status_code == 400
    assert "thiếu mã định danh tài khoản" in response.content.decode()
    assert not CitizenProfile.objects.exists()
    assert "_auth_user_id" not in client.session


def test_off_when_unset_no_button_and_a_not_configured_page(client, settings, birth_registration):
    settings.NATIONAL_OIDC_CLIENT_ID = ""
    button = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
    assert button not in client.get(reverse("citizen-login")).content.decode()
    start = client.get(reverse("citizen-start", args=[birth_registration.code]))
    assert button not in start.content.decode()
    for url in (START, reverse("citizen-national-callback") + "?code=x&state=y"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Chưa cấu hình đăng nhập bằng tài khoản quốc gia" in response.content.decode()


def test_the_button_is_offered_when_configured(client, national, birth_registration):
    button = "Đăng nhập bằng tài khoản định danh điện tử (VNeID) / Cổng DVC quốc gia"
    assert button in client.get(reverse("citizen-login")).content.decode()
    start = client.get(reverse("citizen-start", args=[birth_registration.code]))
    assert button in start.content.decode()
    assert f"{START}?next=/nop-ho-so/{birth_registration.code}/" in start.content.decode()


def test_sign_out_ends_the_national_session_with_the_id_token_hint(client, national):
    sign_in(client, national, CITIZEN["login"])
    id_token = client.session[SESSION_KEY]["id_token"]
    response = client.post(reverse("citizen-logout"))
    assert "_auth_user_id" not in client.session
    assert response.url == reverse("citizen-national-logout")
    page = client.get(response.url)
    url = page.context["end_session_url"]
    assert f'content="0;url={url}"'.replace("&", "&amp;") in page.content.decode()
    assert url.startswith(national.issuer + "/session/end?")
    query = parse_qs(urlsplit(url).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [SITE + "/"]
    # The provider accepts it: its sign-out confirmation, not an error page.
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, answer.text[:500]
    assert "logout" in answer.text.lower()
    # Once only: the page does not send a later visitor to the provider.
    assert client.get(reverse("citizen-national-logout")).url == "/"


def test_a_password_sign_out_stays_local(client, national):
    user = get_user_model().objects.create_user(username="cd-p", password="x-pw-123")
    CitizenProfile.objects.create(user=user, full_name="P", phone="+84911111112")
    client.force_login(user)
    response = client.post(reverse("citizen-logout"))
    assert response.url == "/"


def test_the_wizard_is_filled_in_and_the_dossier_records_the_national_account(
    client, national, birth_registration, commune, django_capture_on_commit_callbacks
):
    sign_in(client, national, CITIZEN["login"])
    wizard = Wizard(client, birth_registration)
    wizard.start()
    wizard.unit(commune.code)
    form = client.get(wizard.url("nguoi-nop")).context["form"]
    assert form.initial["full_name"] == "Nguyễn Văn An"
    assert form.initial["id_number"] == CITIZEN["SoDinhDanh"]
    assert form.initial["phone"] == "0912 345 678"
    assert form.initial["email"] == "nguyenvana@example.vn"
    assert (form.initial["province"], form.initial["ward"]) == ("12", "3601")
    assert form.initial["street"] == "Bản Nà Bó"
    # What the browser sends back cannot claim the verification: only the session can.
    posted = {**APPLICANT_POST, "id_number": CITIZEN["SoDinhDanh"]}
    posted |= {"applicant_vneid_verified": "0", "applicant_tech_id": "FORGED"}
    assert wizard.post("nguoi-nop", posted).status_code == 302
    wizard.documents()
    wizard.delivery()
    wizard.review()
    with django_capture_on_commit_callbacks(execute=True):
        assert wizard.confirm().status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant_tech_id == CITIZEN["TechID"]
    assert dossier.applicant_vneid_verified is True
    assert dossier.citizen_id == CitizenProfile.objects.get().user_id


def test_a_dossier_for_another_person_does_not_carry_the_verification(
    client, national, birth_registration, commune, django_capture_on_commit_callbacks
):
    sign_in(client, national, CITIZEN["login"])
    wizard = Wizard(client, birth_registration)
    wizard.start()
    wizard.unit(commune.code)
    assert wizard.applicant(id_number="079123456789").status_code == 302
    wizard.documents()
    wizard.delivery()
    wizard.review()
    with django_capture_on_commit_callbacks(execute=True):
        assert wizard.confirm().status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_tech_id, dossier.applicant_vneid_verified) == ("", False)


def test_a_password_account_submits_without_the_verification(
    client, wizard, commune, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.create_user(username="cd-q", password="x-pw-123")
    CitizenProfile.objects.create(
        user=user, full_name="Q", phone="+84911111113", tech_id="SOME-TECH-ID"
    )
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert wizard.all_steps(commune).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_tech_id, dossier.applicant_vneid_verified) == ("", False)

"""The citizens' API: the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.services import actions
from notifications.models import SmsMessage
from tests.citizens.conftest import (
    ADDRESS,
    ID_NUMBER,
    NAME,
    PHONE,
    PHONE_TYPED,
    image_bytes,
    key_from_sms,
    sms_for,
    upload,
)

pytestmark = pytest.mark.django_db
SUBMIT = "/api/v1/dossiers/"


def payload(procedure, receiving_unit, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": procedure.code,
        "unit": receiving_unit.code,
        "applicant_name": NAME,
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": PHONE_TYPED,
        "applicant_email": "an@example.vn",
        "applicant_address": ADDRESS,
        "delivery": "counter",
        "payment_method": "none",
        "declaration": "true",
        "captcha_key": "",
        "captcha_value": "PASSED",
    }
    for d in procedure.documents.all():
        data[f"document_{d.pk}"] = [upload(f"giay-to-{d.pk}.pdf")]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def status_url(code: str) -> str:
    return f"/api/v1/dossiers/{code}/status/"


def test_submit_returns_the_code_and_never_the_key(
    client, birth_registration, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMIT, payload(birth_registration, commune))
    assert response.status_code == 201, response.json()
    body = response.json()
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code
    assert (body["status"], body["status_code"], body["fee_vnd"]) == ("submitted", 1, 0)
    assert body["submitted_at"].endswith("+07:00")
    (sms,) = sms_for(dossier)
    key = key_from_sms(sms.body)
    assert key not in response.content.decode()
    status = client.get(status_url(dossier.code), {"key": key})
    assert status.status_code == 200
    assert status.json()["applicant"] == NAME


def test_a_dossier_from_the_pages_and_one_from_the_api_look_the_same_to_an_officer(
    client, wizard, birth_registration, commune, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wizard.all_steps(commune)
        api = client.post(SUBMIT, payload(birth_registration, commune))
    assert api.status_code == 201
    page_dossier, api_dossier = Dossier.objects.order_by("id")
    fields = [
        "procedure_id",
        "unit_id",
        "handling_unit_id",
        "channel",
        "status",
        "applicant_kind",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "organisation_name",
        "delivery",
        "delivery_address",
        "payment_method",
        "fee_vnd",
        "assigned_to_id",
        "due_at",
    ]
    for name in fields:
        assert getattr(page_dossier, name) == getattr(api_dossier, name), name

    def files(d: Dossier) -> list[tuple[Any, ...]]:
        return [
            (f.document_id, f.kind, f.size, f.content_type, f.extension)
            for f in d.files.order_by("document__order")
        ]

    assert files(page_dossier) == files(api_dossier)
    assert [e.to_status for e in page_dossier.events.all()] == [
        e.to_status for e in api_dossier.events.all()
    ]
    for d in (page_dossier, api_dossier):
        (sms,) = sms_for(d)
        assert d.code in sms.body
        key = key_from_sms(sms.body)
        assert client.get(status_url(d.code), {"key": key}).status_code == 200
    # The officer's queue sees both the same way.
    for d in (page_dossier, api_dossier):
        response = client.get(
            f"/api/v1/officer/dossiers/{d.code}/", HTTP_AUTHORIZATION=_token(officer)
        )
        assert response.status_code == 200


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return "Token " + Token.objects.get_or_create(user=user)[0].key


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicant_phone": "0243 825 1234"}, "applicant_phone"),
        ({"applicant_id_number": "1234"}, "applicant_id_number"),
        ({"declaration": "false"}, "declaration"),
        ({"captcha_value": "WRONG"}, "captcha_value"),
        ({"payment_method": "cash"}, "payment_method"),
        ({"delivery": "post", "delivery_address": ""}, "delivery_address"),
        ({"unit": "nowhere"}, "unit"),
    ],
)
def test_each_refusal_is_a_400_on_its_field_and_makes_no_dossier(
    client, birth_registration, commune, settings, changes, field
):
    settings.MOTCUA_CAPTCHA_TEST_MODE = field != "captcha_value"
    response = client.post(SUBMIT, payload(birth_registration, commune, **changes))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert "detail" in response.json()
    assert Dossier.objects.count() == 0
    assert SmsMessage.objects.count() == 0


def test_a_missing_required_document_is_refused(client, birth_registration, commune):
    doc = birth_registration.documents.order_by("order").last()
    response = client.post(
        SUBMIT, payload(birth_registration, commune, **{f"document_{doc.pk}": None})
    )
    assert response.status_code == 400
    assert f"document_{doc.pk}" in response.json()
    assert Dossier.objects.count() == 0


def test_a_file_with_wrong_magic_bytes_is_refused(client, birth_registration, commune):
    doc = birth_registration.documents.first()
    response = client.post(
        SUBMIT,
        payload(
            birth_registration,
            commune,
            **{f"document_{doc.pk}": [upload("anh.pdf", image_bytes())]},
        ),
    )
    assert response.status_code == 400
    assert "không đúng với đuôi" in response.json()[f"document_{doc.pk}"][0]
    assert Dossier.objects.count() == 0


def test_an_empty_file_is_refused(client, birth_registration, commune):
    doc = birth_registration.documents.first()
    response = client.post(
        SUBMIT,
        payload(birth_registration, commune, **{f"document_{doc.pk}": [upload("rong.pdf", b"")]}),
    )
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


def test_an_over_limit_file_is_a_413(client, birth_registration, commune, settings):
    settings.UPLOAD_MAX_BYTES = 50
    response = client.post(SUBMIT, payload(birth_registration, commune))
    assert response.status_code == 413
    assert "vượt quá dung lượng" in response.json()["detail"]
    assert Dossier.objects.count() == 0


def test_a_file_for_another_procedure_document_is_refused(
    client, birth_registration, certified_contract, commune
):
    other = certified_contract.documents.first()
    response = client.post(
        SUBMIT, payload(birth_registration, commune, **{f"document_{other.pk}": [upload()]})
    )
    assert response.status_code == 400
    assert f"document_{other.pk}" in response.json()


def test_a_level_2_procedure_tells_where_to_submit(client, certified_contract, commune):
    response = client.post(SUBMIT, payload(certified_contract, commune))
    assert response.status_code == 400
    assert "chưa nhận hồ sơ trực tuyến" in response.json()["detail"]
    assert commune.name in response.json()["detail"]


def test_a_retried_request_with_the_same_idempotency_key_makes_one_dossier(
    client, birth_registration, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            SUBMIT, payload(birth_registration, commune), HTTP_IDEMPOTENCY_KEY="abc-123"
        )
        again = client.post(
            SUBMIT, payload(birth_registration, commune), HTTP_IDEMPOTENCY_KEY="abc-123"
        )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.count() == 1
    assert SmsMessage.objects.count() == 1


def test_the_captcha_endpoint_gives_a_new_challenge_each_time(client):
    a, b = client.get("/api/v1/captcha/").json(), client.get("/api/v1/captcha/").json()
    assert a["key"] != b["key"]
    assert client.get(a["image_url"]).status_code == 200
    assert client.get(a["audio_url"]).status_code == 200


def test_a_real_captcha_answer_works_once(client, birth_registration, commune, settings):
    from captcha.models import CaptchaStore

    settings.MOTCUA_CAPTCHA_TEST_MODE = False
    captcha = client.get("/api/v1/captcha/").json()
    answer = CaptchaStore.objects.get(hashkey=captcha["key"]).response
    data = payload(birth_registration, commune, captcha_key=captcha["key"], captcha_value=answer)
    assert client.post(SUBMIT, data).status_code == 201
    data = payload(birth_registration, commune, captcha_key=captcha["key"], captcha_value=answer)
    assert client.post(SUBMIT, data).status_code == 400


def test_a_wrong_captcha_answer_uses_the_challenge_up_and_makes_nothing(
    client, birth_registration, commune, settings
):
    from captcha.models import CaptchaStore

    settings.MOTCUA_CAPTCHA_TEST_MODE = False
    captcha = client.get("/api/v1/captcha/").json()
    answer = CaptchaStore.objects.get(hashkey=captcha["key"]).response
    wrong = payload(
        birth_registration, commune, captcha_key=captcha["key"], captcha_value=answer + "x"
    )
    response = client.post(SUBMIT, wrong)
    assert response.status_code == 400
    assert "captcha_value" in response.json()
    assert not CaptchaStore.objects.filter(hashkey=captcha["key"]).exists()
    right = payload(birth_registration, commune, captcha_key=captcha["key"], captcha_value=answer)
    assert client.post(SUBMIT, right).status_code == 400  # no second guess on one picture
    assert not Dossier.objects.exists()


def test_expired_challenges_are_purged_by_the_beat_task_only(client, settings):
    from datetime import timedelta

    from captcha.models import CaptchaStore
    from django.utils import timezone

    from citizens.tasks import captcha_purge_expired_task
    from portal.celery import app

    old = client.get("/api/v1/captcha/").json()["key"]
    fresh = client.get("/api/v1/captcha/").json()["key"]
    CaptchaStore.objects.filter(hashkey=old).update(
        expiration=timezone.now() - timedelta(minutes=1)
    )
    assert captcha_purge_expired_task.apply().get() == 1  # run here, as a worker would
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == [fresh]
    schedule = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert schedule["citizens.tasks.captcha_purge_expired"] <= 3600


# --- Status ---------------------------------------------------------------------------------


def test_the_status_cannot_be_read_with_the_code_alone(client, dossier_and_key):
    dossier, _key = dossier_and_key
    response = client.get(status_url(dossier.code))
    assert response.status_code == 400
    assert "status" not in response.json()


def test_the_status_with_a_captcha_is_masked(client, dossier_and_key):
    dossier, _key = dossier_and_key
    body = client.get(status_url(dossier.code), {"captcha_value": "PASSED"}).json()
    assert body["applicant"] == "N*** V** A"
    assert ID_NUMBER not in str(body)
    assert PHONE not in str(body)
    assert body["status"] == "submitted"
    assert body["status_code"] == 1
    assert body["status_label"] == "Mới đăng ký"
    assert body["procedure"] == {"code": "1.001193", "name": "Đăng ký khai sinh"}
    assert body["history"][0]["status"] == "submitted"
    assert body["overdue"] is False
    assert body["apology"] is None
    assert body["supplement_request"] is None


def test_the_status_for_an_unknown_code(client):
    # With a solved captcha it says so; with a key it answers as for a wrong key
    # (tests/citizens/test_key_lock.py).
    assert client.get(status_url("X-1"), {"captcha_value": "PASSED"}).status_code == 404
    assert client.get(status_url("X-1"), {"key": "ABCDEFGHJK"}).status_code == 403


def test_ten_wrong_keys_lock_the_dossier_for_an_hour(client, dossier_and_key):
    dossier, key = dossier_and_key
    codes = [
        client.get(
            status_url(dossier.code), {"key": "NOPE2345"}, REMOTE_ADDR=f"203.0.113.{n}"
        ).status_code
        for n in range(10)
    ]
    assert codes == [403] * 10
    dossier.refresh_from_db()
    assert dossier.key_locked_until is not None
    assert client.get(status_url(dossier.code), {"key": key}).status_code == 403
    # A solved captcha still shows the masked status.
    assert client.get(status_url(dossier.code), {"captcha_value": "PASSED"}).status_code == 200


def test_the_status_shows_the_supplement_request(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    doc = dossier.procedure.documents.first()
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[doc.pk], reason="Thiếu chữ ký"
    )
    body = client.get(status_url(dossier.code), {"key": key}).json()
    assert body["status_code"] == 5
    assert body["supplement_request"]["items"] == [{"id": doc.pk, "name": doc.name}]
    assert body["supplement_request"]["reason"] == "Thiếu chữ ký"
    assert body["due_at"].endswith("+07:00")


# --- Actions --------------------------------------------------------------------------------


def test_supplement_through_the_api(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    doc = dossier.procedure.documents.first()
    url = f"/api/v1/dossiers/{dossier.code}/supplement/"
    assert client.post(url, {"key": key, f"document_{doc.pk}": upload()}).status_code == 409
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[doc.pk], reason="Thiếu"
    )
    assert client.post(url, {"key": key}).status_code == 400
    response = client.post(
        url, {"key": key, "note": "Đây", f"document_{doc.pk}": upload("bo-sung.pdf")}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"


def test_withdraw_through_the_api(client, dossier_and_key):
    dossier, key = dossier_and_key
    url = f"/api/v1/dossiers/{dossier.code}/withdraw/"
    assert (
        client.post(
            url, {"key": "WRONG234", "reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    response = client.post(url, {"key": key, "reason": "Nộp nhầm"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawal_requested"
    again = client.post(url, {"key": key, "reason": "Nộp nhầm"}, content_type="application/json")
    assert again.status_code == 409


def test_rating_through_the_api(client, dossier_and_key, officer, supervisor):
    dossier, key = dossier_and_key
    url = f"/api/v1/dossiers/{dossier.code}/rating/"
    body = {"key": key, "score": 5, "comment": "Tốt"}
    assert client.post(url, body, content_type="application/json").status_code == 409
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    dossier = actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    actions.dossier_return(dossier=dossier, actor=officer, method="counter", recipient_name=NAME)
    assert (
        client.post(url, {**body, "score": 6}, content_type="application/json").status_code == 400
    )
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 409


def test_key_resend_through_the_api(client, dossier_and_key, django_capture_on_commit_callbacks):
    dossier, old = dossier_and_key
    url = f"/api/v1/dossiers/{dossier.code}/key-resend/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"captcha_value": "PASSED"}, content_type="application/json")
    assert response.status_code == 202
    new = key_from_sms(sms_for(dossier)[-1].body)
    assert new != old
    assert new not in response.content.decode()
    assert client.get(status_url(dossier.code), {"key": new}).status_code == 200
    assert (
        client.post(
            "/api/v1/dossiers/X-1/key-resend/",
            {"captcha_value": "PASSED"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_openapi_schema_is_valid_and_lists_the_citizen_endpoints(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/captcha/",
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{code}/status/",
        "/api/v1/dossiers/{code}/supplement/",
        "/api/v1/dossiers/{code}/withdraw/",
        "/api/v1/dossiers/{code}/rating/",
        "/api/v1/dossiers/{code}/key-resend/",
    ):
        assert path in paths, path


@pytest.mark.parametrize("captcha_right", [False, True])
def test_a_wrong_captcha_never_opens_an_attached_archive(
    client, birth_registration, commune, settings, monkeypatch, captcha_right
):
    """The captcha is checked before any file is read or checked: a wrong answer costs the
    server no archive inspection (the right one shows the spy does see the inspection)."""
    import zipfile

    from tests.citizens.conftest import zip_bytes

    archive = upload("giay-to.zip", zip_bytes({"a.pdf": "%PDF-1.4"}))
    opened = []
    real_end, real_zip = zipfile._EndRecData, zipfile.ZipFile

    def end_spy(*args, **kwargs):
        opened.append("end")
        return real_end(*args, **kwargs)

    class ZipSpy(real_zip):
        def __init__(self, *args, **kwargs):
            opened.append("zip")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(zipfile, "_EndRecData", end_spy)
    monkeypatch.setattr(zipfile, "ZipFile", ZipSpy)
    settings.MOTCUA_CAPTCHA_TEST_MODE = captcha_right
    doc = birth_registration.documents.order_by("order").first()
    data = payload(birth_registration, commune, **{f"document_{doc.pk}": [archive]})
    response = client.post(SUBMIT, data)
    if captcha_right:
        assert opened
        assert response.status_code in {201, 400}
    else:
        assert response.status_code == 400
        assert "captcha_value" in response.json()
        assert opened == []
    assert Dossier.objects.count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_name", "Nguyễn Văn An\nMã tra cứu: ABCD1234"),
        ("applicant_name", "Nguyễn \u202eAn Văn"),
        ("organisation_name", "Công ty\u2066 A\u2069"),
        ("applicant_address", "Bản Nà Khoa\r\nMã hồ sơ: 1"),
    ],
)
def test_names_and_addresses_with_line_breaks_or_bidi_are_refused(
    client, birth_registration, commune, field, value
):
    response = client.post(SUBMIT, payload(birth_registration, commune, **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert Dossier.objects.count() == 0


def test_too_many_files_is_a_json_400(client, birth_registration, commune):
    doc = birth_registration.documents.order_by("order").first()
    files = [upload(f"trang-{i}.pdf") for i in range(102)]
    data = payload(birth_registration, commune, **{f"document_{doc.pk}": files})
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert Dossier.objects.count() == 0

"""/tra-cuu/: the code alone shows nothing; captcha shows a masked status; the key shows all
and opens the actions. Wrong keys lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.models import Rating
from dossiers.models import Apology, Dossier, DossierAccess, SupplementRequest
from dossiers.services import actions
from tests.citizens.conftest import ID_NUMBER, NAME, key_from_sms, sms_for, upload

pytestmark = pytest.mark.django_db
S = Dossier.Status
LOOKUP = "/tra-cuu/"


def _open(client, dossier, key):
    response = client.post(LOOKUP, {"code": dossier.code, "key": key})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url)


def test_the_code_alone_shows_nothing(client, dossier_and_key):
    dossier, _key = dossier_and_key
    response = client.post(LOOKUP, {"code": dossier.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vui lòng nhập mã tra cứu, hoặc mã xác nhận" in page
    assert "Mới đăng ký" not in page
    direct = client.get(reverse("citizen-dossier", args=[dossier.code]))
    assert direct.status_code == 302
    assert direct.url.startswith(LOOKUP)


def test_code_and_captcha_show_the_status_with_personal_data_masked(client, dossier_and_key):
    dossier, _key = dossier_and_key
    response = client.post(LOOKUP, {"code": dossier.code.lower(), "captcha_value": "PASSED"})
    page = client.get(response.url).content.decode()
    assert "Mới đăng ký" in page
    assert "N*** V** A" in page
    assert NAME not in page
    assert ID_NUMBER not in page
    assert "09** *** 678" in page
    assert reverse("citizen-withdraw", args=[dossier.code]) not in page


def test_a_wrong_captcha_shows_nothing(client, dossier_and_key, settings):
    settings.MOTCUA_CAPTCHA_TEST_MODE = False
    dossier, _key = dossier_and_key
    response = client.post(LOOKUP, {"code": dossier.code, "captcha_value": "PASSED"})
    assert response.status_code == 200
    assert "Mã xác nhận không đúng" in response.content.decode()


def test_code_and_key_show_everything(client, dossier_and_key):
    dossier, key = dossier_and_key
    page = _open(client, dossier, key.lower()).content.decode()
    assert NAME in page
    assert ID_NUMBER in page
    assert reverse("citizen-withdraw", args=[dossier.code]) in page
    assert key.upper() not in page


def test_an_unknown_code_is_not_found(client):
    unknown = {"code": "000.41.11.H33-990101-0001"}
    response = client.post(LOOKUP, {**unknown, "captcha_value": "PASSED"})
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.content.decode()
    # With a key, the answer of a wrong key: the code's existence does not show.
    response = client.post(LOOKUP, {**unknown, "key": "ABCDEFGHJK"})
    assert response.status_code == 403
    assert "Mã hồ sơ hoặc mã tra cứu không đúng" in response.content.decode()


def test_ten_wrong_keys_lock_the_dossier_for_an_hour(client, dossier_and_key):
    dossier, key = dossier_and_key
    for n in range(10):  # from ten clients: one alone runs out of wrong keys first
        response = client.post(
            LOOKUP, {"code": dossier.code, "key": "WRONGKEY23"}, REMOTE_ADDR=f"203.0.113.{n}"
        )
        assert response.status_code == 403
        assert "Mã hồ sơ hoặc mã tra cứu không đúng" in response.content.decode()
    # Locked: even the right key is refused, and the page offers the SMS resend.
    response = client.post(LOOKUP, {"code": dossier.code, "key": key})
    assert response.status_code == 403
    assert reverse("citizen-key-resend") in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.key_locked_until > timezone.now() + timedelta(minutes=59)
    Dossier.objects.filter(pk=dossier.pk).update(
        key_locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert client.post(LOOKUP, {"code": dossier.code, "key": key}).status_code == 302


def test_the_page_shows_timeline_due_time_lateness_apology_and_who_opened_it(
    client, dossier_and_key, officer, supervisor, commune
):
    dossier, key = dossier_and_key
    received_at = timezone.now() - timedelta(days=20)
    dossier = actions.dossier_receive(dossier=dossier, actor=officer, at=received_at)
    Apology.objects.create(
        dossier=dossier,
        unit=commune,
        reason="Chờ xác minh",
        original_due_at=dossier.due_at,
        new_due_at=timezone.now() + timedelta(days=2),
        signed_by=supervisor,
        issued_at=timezone.now(),
    )
    DossierAccess.objects.create(dossier=dossier, user=officer, unit=commune, action="view")
    page = _open(client, dossier, key).content.decode()
    assert "Đã tiếp nhận" in page
    assert "Quá hạn" in page
    assert "Chờ xác minh" in page
    assert "Ngày hẹn trả mới" in page
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in page
    assert "UBND xã Mường Khoa" in page.split("Cơ quan đã mở hồ sơ")[1]
    assert "officer" not in page.split("Cơ quan đã mở hồ sơ")[1]


def _request_supplement(dossier, officer, received=True):
    if received:
        dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    doc = dossier.procedure.documents.order_by("order").last()
    actions.dossier_request_supplement(
        dossier=dossier, actor=officer, document_ids=[doc.pk], reason="Ảnh giấy chứng sinh bị mờ"
    )
    return doc


def test_the_supplement_request_is_shown_and_answered_with_the_key(
    client, dossier_and_key, officer
):
    dossier, key = dossier_and_key
    doc = _request_supplement(dossier, officer)
    page = _open(client, dossier, key).content.decode()
    assert "Ảnh giấy chứng sinh bị mờ" in page
    assert doc.name in page
    url = reverse("citizen-supplement", args=[dossier.code])
    response = client.post(url, {"note": "Đã chụp lại", f"document_{doc.pk}": upload("moi.pdf")})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == S.PROCESSING
    assert dossier.paused_at is None
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.answered_at is not None
    assert request.answer_note == "Đã chụp lại"
    assert dossier.files.filter(kind="supplement", original_name="moi.pdf").exists()


def test_a_supplement_before_reception_goes_back_to_the_desk(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    doc = _request_supplement(dossier, officer, received=False)
    _open(client, dossier, key)
    client.post(
        reverse("citizen-supplement", args=[dossier.code]), {f"document_{doc.pk}": upload()}
    )
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED


def test_a_supplement_without_the_requested_file_is_refused(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    doc = _request_supplement(dossier, officer)
    _open(client, dossier, key)
    response = client.post(reverse("citizen-supplement", args=[dossier.code]), {"note": "x"})
    assert response.status_code == 200
    assert f"Vui lòng tải lên “{doc.name}”" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED


def test_a_supplement_with_a_bad_file_is_refused_next_to_the_file(client, dossier_and_key, officer):
    dossier, key = dossier_and_key
    doc = _request_supplement(dossier, officer)
    _open(client, dossier, key)
    response = client.post(
        reverse("citizen-supplement", args=[dossier.code]),
        {f"document_{doc.pk}": upload("anh.pdf", b"GIF89a....")},
    )
    assert "không đúng với đuôi" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED


def test_actions_need_the_key_not_just_a_captcha(client, dossier_and_key):
    dossier, _key = dossier_and_key
    client.post(LOOKUP, {"code": dossier.code, "captcha_value": "PASSED"})
    response = client.post(
        reverse("citizen-withdraw", args=[dossier.code]), {"reason": "x", "confirm": "on"}
    )
    assert response.status_code == 302
    assert response.url.startswith(LOOKUP)
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED


def test_withdraw_before_a_decision(client, dossier_and_key):
    dossier, key = dossier_and_key
    _open(client, dossier, key)
    url = reverse("citizen-withdraw", args=[dossier.code])
    assert (
        "Vui lòng đánh dấu ô xác nhận" in client.post(url, {"reason": "Nộp nhầm"}).content.decode()
    )
    client.post(url, {"reason": "Nộp nhầm", "confirm": "on"})
    dossier.refresh_from_db()
    assert dossier.status == S.WITHDRAWAL_REQUESTED
    assert dossier.events.last().note == "Nộp nhầm"


def _returned(dossier, officer, supervisor):
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    dossier = actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    return actions.dossier_return(
        dossier=dossier, actor=officer, method="counter", recipient_name=NAME
    )


def test_withdraw_after_a_decision_is_refused(client, dossier_and_key, officer, supervisor):
    dossier, key = dossier_and_key
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    actions.dossier_resolve(dossier=dossier, actor=supervisor, outcome="approved")
    _open(client, dossier, key)
    client.post(reverse("citizen-withdraw", args=[dossier.code]), {"reason": "x", "confirm": "on"})
    dossier.refresh_from_db()
    assert dossier.status == S.RESOLVED


def test_rating_once_after_the_result_is_returned(client, dossier_and_key, officer, supervisor):
    dossier, key = dossier_and_key
    _open(client, dossier, key)
    url = reverse("citizen-rate", args=[dossier.code])
    client.post(url, {"score": 5})
    assert not Rating.objects.exists()  # not returned yet
    _returned(dossier, officer, supervisor)
    page = _open(client, dossier, key).content.decode()
    assert url in page
    client.post(url, {"score": 4, "comment": "Cán bộ nhiệt tình"})
    client.post(url, {"score": 1})
    rating = Rating.objects.get()
    assert (rating.score, rating.comment) == (4, "Cán bộ nhiệt tình")


def test_key_resend_sends_a_new_key_to_the_registered_phone_only(
    client, dossier_and_key, django_capture_on_commit_callbacks
):
    dossier, old_key = dossier_and_key
    url = reverse("citizen-key-resend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"code": dossier.code, "captcha_value": "PASSED", "phone": "0987654321"}
        )
    assert response.status_code == 302
    messages = sms_for(dossier)
    assert len(messages) == 2
    assert messages[-1].to == dossier.applicant_phone
    new_key = key_from_sms(messages[-1].body)
    assert new_key != old_key
    # The old key works until the new one is used; then only the new one does.
    assert client.post(LOOKUP, {"code": dossier.code, "key": old_key}).status_code == 302
    assert client.post(LOOKUP, {"code": dossier.code, "key": new_key}).status_code == 302
    assert client.post(LOOKUP, {"code": dossier.code, "key": old_key}).status_code == 403


def test_key_resend_is_limited_per_dossier(client, dossier_and_key):
    dossier, _key = dossier_and_key
    url = reverse("citizen-key-resend")
    for _ in range(3):
        assert (
            client.post(url, {"code": dossier.code, "captcha_value": "PASSED"}).status_code == 302
        )
    response = client.post(url, {"code": dossier.code, "captcha_value": "PASSED"})
    assert response.status_code == 429
    assert len(sms_for(dossier)) == 4  # the first SMS and three resends


def test_key_resend_is_limited_per_client(client, submit_online):
    url = reverse("citizen-key-resend")
    codes = [submit_online()[0].code for _ in range(3)]
    statuses = [
        client.post(url, {"code": code, "captcha_value": "PASSED"}).status_code
        for code in codes
        for _ in range(2)
    ]
    assert statuses == [302] * 5 + [429]


def test_the_audio_captcha_is_a_wav_of_the_challenge(client):
    from citizens.captcha import captcha_new

    captcha = captcha_new()
    response = client.get(captcha["audio_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF"
    assert response.content[8:12] == b"WAVE"
    assert len(response.content) > 50_000  # intro + five letters, twice
    assert client.get(reverse("citizen-captcha-audio", args=["0" * 40])).status_code == 410


def test_the_audio_reads_every_letter(monkeypatch):
    from citizens import captcha

    said = []
    original = captcha._clip
    monkeypatch.setattr(captcha, "_clip", lambda name: said.append(name) or original(name))
    captcha.captcha_audio_wav("BQZ")
    assert said == ["intro", "intro", "B", "Q", "Z", "again", "B", "Q", "Z"]


def test_the_lookup_page_offers_audio_and_another_code(client):
    page = client.get(LOOKUP).content.decode()
    assert "Nghe mã xác nhận" in page
    assert 'name="new_captcha"' in page
    assert "/xac-nhan/am-thanh/" in page

"""Two-factor sign-in for officers: the one-time passwords against RFC 4226 and RFC 6238's
published vectors, enrolment with a QR code, and the second step on the page and the API."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from portal.models import AuditLog, OfficerTOTP
from portal.totp import hotp, totp, totp_key, totp_match, totp_step, totp_uri
from portal.totp_devices import totp_enrolment_start

# RFC 4226 Appendix D: secret "12345678901234567890", counters 0..9.
RFC4226 = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]

# RFC 6238 Appendix B: (time, SHA1, SHA256, SHA512), 8 digits.
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_hotp_matches_rfc4226(counter, expected):
    assert hotp(key=SEEDS["sha1"], counter=counter) == expected


@pytest.mark.parametrize("row", RFC6238)
@pytest.mark.parametrize(("column", "algorithm"), [(1, "sha1"), (2, "sha256"), (3, "sha512")])
def test_totp_matches_rfc6238(row, column, algorithm):
    assert totp(key=SEEDS[algorithm], at=row[0], digits=8, algorithm=algorithm) == row[column]


def test_a_code_matches_within_one_step_either_side_only():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC seed
    assert totp_key(secret) == SEEDS["sha1"]
    now = 1_700_000_000
    code = totp(key=SEEDS["sha1"], at=now)
    assert totp_match(secret=secret, code=code, at=now) == totp_step(at=now)
    assert totp_match(secret=secret, code=code[:3] + " " + code[3:], at=now + 30) is not None
    assert totp_match(secret=secret, code=code, at=now - 30) is not None
    assert totp_match(secret=secret, code=code, at=now + 90) is None
    assert totp_match(secret=secret, code="12345", at=now) is None
    assert totp_match(secret=secret, code="abcdef", at=now) is None


def test_the_uri_names_the_issuer_and_the_account():
    uri = totp_uri(secret="ABC", account="can bo")
    assert uri.startswith("otpauth://totp/MotCua:can%20bo?")
    assert "secret=ABC" in uri
    assert "issuer=MotCua" in uri


def _code(user, *, offset: int = 0) -> str:
    device = OfficerTOTP.objects.get(user=user)
    return totp(key=totp_key(device.secret), at=time.time() + offset)


def _enable(user) -> None:
    device = totp_enrolment_start(user=user)
    OfficerTOTP.objects.filter(pk=device.pk).update(confirmed_at="2026-01-01T00:00:00Z")


def test_enrolment_shows_a_qr_code_and_turns_on_with_a_good_code(client, officer):
    client.force_login(officer)
    page = client.get(reverse("officer-totp-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = OfficerTOTP.objects.get(user=officer)
    assert device.secret in html
    assert device.confirmed_at is None
    # Reloading keeps the same secret (the officer may have scanned it already).
    assert device.secret in client.get(reverse("officer-totp-setup")).content.decode()

    bad = client.post(reverse("officer-totp-setup"), {"code": "000000"})
    assert bad.status_code == 400
    assert 'class="error-summary"' in bad.content.decode()
    good = client.post(reverse("officer-totp-setup"), {"code": _code(officer)})
    assert good.status_code == 302
    assert OfficerTOTP.objects.get(user=officer).confirmed_at is not None
    assert AuditLog.objects.filter(action="officer_totp_enabled", actor=officer).exists()


def test_the_password_alone_no_longer_signs_in(client, officer):
    _enable(officer)
    response = client.post(
        "/can-bo/dang-nhap/?next=/can-bo/",
        {"username": "officer", "password": "pw-officer", "next": "/can-bo/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("officer-totp-verify")
    assert "_auth_user_id" not in client.session
    assert client.get("/can-bo/").status_code == 302  # still anonymous

    wrong = client.post(reverse("officer-totp-verify"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("officer-totp-verify"), {"code": _code(officer)})
    assert right.status_code == 302
    assert right["Location"] == "/can-bo/"
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_code_is_good_only_once(client, officer):
    _enable(officer)
    code = _code(officer)
    client.post("/can-bo/dang-nhap/", {"username": "officer", "password": "pw-officer"})
    assert client.post(reverse("officer-totp-verify"), {"code": code}).status_code == 302
    client.logout()
    client.post("/can-bo/dang-nhap/", {"username": "officer", "password": "pw-officer"})
    replay = client.post(reverse("officer-totp-verify"), {"code": code})
    assert replay.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_second_step_needs_the_first(client, officer):
    _enable(officer)
    assert client.get(reverse("officer-totp-verify")).status_code == 302
    assert client.post(reverse("officer-totp-verify"), {"code": _code(officer)}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lock(client, officer):
    _enable(officer)
    client.post("/can-bo/dang-nhap/", {"username": "officer", "password": "pw-officer"})
    statuses = [
        client.post(reverse("officer-totp-verify"), {"code": "000000"}).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    assert (
        AuditLog.objects.filter(action="officer_login_failed", details__reason="totp").count() == 5
    )


def test_the_token_api_wants_the_code_when_enabled(client, officer):
    _enable(officer)
    url = "/api/v1/auth/token/"
    without = client.post(url, {"username": "officer", "password": "pw-officer"})
    assert without.status_code == 400
    assert "otp" in without.json()
    wrong = client.post(url, {"username": "officer", "password": "pw-officer", "otp": "000000"})
    assert wrong.status_code == 400
    right = client.post(
        url, {"username": "officer", "password": "pw-officer", "otp": _code(officer)}
    )
    assert right.status_code == 200
    assert right.json()["token"]


def test_turning_it_off_needs_a_current_code(client, officer):
    _enable(officer)
    client.force_login(officer)
    assert client.post(reverse("officer-totp-setup"), {"code": "000000"}).status_code == 400
    assert OfficerTOTP.objects.filter(user=officer).exists()
    assert client.post(reverse("officer-totp-setup"), {"code": _code(officer)}).status_code == 302
    assert not OfficerTOTP.objects.filter(user=officer).exists()


def test_the_setup_page_is_for_officers_only(client, db):
    from citizens.services import citizen_register

    citizen = citizen_register(
        full_name="Công Dân", password="pw-citizen-123", phone="+84911111112"
    )
    client.force_login(citizen)
    assert client.get(reverse("officer-totp-setup")).status_code == 403
    assert not OfficerTOTP.objects.exists()
    client.logout()
    assert client.get(reverse("officer-totp-setup")).status_code == 302  # to the login page


def test_the_workbench_links_to_the_setup_page(client, officer):
    client.force_login(officer)
    assert reverse("officer-totp-setup") in client.get("/can-bo/").content.decode()

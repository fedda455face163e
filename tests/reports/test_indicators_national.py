"""Decision 766 indicators fed by the national connections: 1.4 (dossiers the national
portal holds, from the DVCQG synchronisation), 3.6 (fees paid online, on the national
platform or the province's channels) and 4.1 (results that are signed electronic
documents). Expectations computed by hand from the formulas of docs/REPORTS.md."""

from __future__ import annotations

import uuid

import pytest

from dossiers.models import Dossier, DossierFile
from dvcqg.sending import dossier_sync
from payments.models import Payment
from reports.selectors.indicators import indicators_compute
from reports.selectors.periods import Period
from tests.dvcqg.conftest import dvcqg, fake_dvcqg, fake_dvcqg_server  # noqa: F401
from tests.reports.conftest import at, receive, resolve

OCT = Period(at("2020-10-01").date(), at("2020-10-31").date())
LATER = at("2026-01-01")


def _card(commune, district):
    cards, _overall = indicators_compute(
        period=OCT, units=[commune], scope={district.pk, commune.pk}, now=LATER
    )
    return {i.key: i for i in cards[0].indicators}


@pytest.fixture
def three_received(commune, certified_contract, officer):
    return [
        receive(certified_contract, commune, at(day), actor=officer)
        for day in ("2020-10-05", "2020-10-06", "2020-10-07")
    ]


def test_1_4_is_na_while_the_synchronisation_is_off(settings, commune, district, three_received):
    settings.DVCQG_URL = ""
    card = _card(commune, district)
    assert (card["1.4"].rate_pct, card["1.4"].points) == (None, None)
    assert card["1.4"].reason == "Chưa kết nối Cổng DVC quốc gia."


def test_1_4_counts_the_received_dossiers_the_national_portal_holds(
    dvcqg,  # noqa: F811
    commune,
    district,
    three_received,
):
    first, second, _third = three_received
    card = _card(commune, district)
    # Queued, nothing acknowledged yet: 0 of 3.
    assert (card["1.4"].numerator, card["1.4"].denominator, card["1.4"].rate_pct) == (0, 3, 0.0)
    assert card["1.4"].points == 0.0
    assert dossier_sync(dossier_id=first.pk).status == "done"
    dvcqg.script("reject", service="DongBoHoSoMC")
    dossier_sync(dossier_id=second.pk)  # rejected: still waiting, not held
    card = _card(commune, district)
    # 1 of 3 = 33.3 %, full at 100 %: 33.3 × 6 ÷ 100 = 2.00 points.
    assert (card["1.4"].numerator, card["1.4"].rate_pct, card["1.4"].points) == (1, 33.3, 2.0)
    assert card["1.4"].reason == ""
    dossier_sync(dossier_id=second.pk)
    # 2 of 3 = 66.7 %: 66.7 × 6 ÷ 100 = 4.00 points.
    assert (_card(commune, district)["1.4"].numerator, _card(commune, district)["1.4"].points) == (
        2,
        4.0,
    )
    # A later change waits to be sent: the portal still holds the dossier.
    resolve(first, at("2020-10-06"))
    assert _card(commune, district)["1.4"].numerator == 2


def _result(dossier, **signature):
    token = uuid.uuid4().hex
    return DossierFile.objects.create(
        dossier=dossier,
        kind=DossierFile.Kind.RESULT,
        token=token,
        extension=".pdf",
        file=f"dossiers/{dossier.pk}/{token}.pdf",
        original_name="ket-qua.pdf",
        size=100,
        sha256="0" * 64,
        **signature,
    )


def test_4_1_counts_the_finished_dossiers_whose_result_is_signed(
    settings, commune, district, three_received, certified_contract, officer
):
    settings.DVCQG_URL = ""
    fourth = receive(certified_contract, commune, at("2020-10-08"), actor=officer)
    dossiers = [*three_received, fourth]
    for dossier in dossiers:
        resolve(dossier, at("2020-10-09"))
    signed_here, uploaded_valid, untrusted, unsigned = dossiers
    _result(signed_here, signed_at=at("2020-10-09"), signed_subject="UBND xã Mường Khoa")
    _result(uploaded_valid, signature_status="valid")
    _result(untrusted, signature_status="untrusted")
    _result(unsigned, signature_status="unsigned")
    card = _card(commune, district)
    # 2 of the 4 finished have a signed electronic result: 50 % × 4 ÷ 100 = 2.00 points.
    assert (card["4.1"].numerator, card["4.1"].denominator, card["4.1"].rate_pct) == (2, 4, 50.0)
    assert card["4.1"].points == 2.0
    # 4.2 (scanned documents and a result file) is unchanged: no scans here.
    assert card["4.2"].numerator == 0


def _paid(dossier, *, method, gateway="", state=Payment.State.PAID):
    return Payment.objects.create(
        dossier=dossier,
        amount_vnd=50_000,
        requested_at=at("2020-10-05"),
        paid_at=at("2020-10-05", 10),
        method=method,
        gateway=gateway,
        state=state,
    )


def test_3_6_counts_fees_paid_online_nationally_or_through_the_province(
    settings, commune, district, certified_contract, birth_registration, officer
):
    settings.DVCQG_URL = ""
    with_fee = [
        receive(certified_contract, commune, at("2020-10-05"), actor=officer) for _ in range(4)
    ]
    national, province, chose_online, refunded = with_fee
    free = receive(birth_registration, commune, at("2020-10-05"), actor=officer)
    _paid(national, method=Payment.Method.ONLINE, gateway="national")
    _paid(province, method=Payment.Method.ONLINE, gateway="vnpay")
    # Chose online payment when submitting, then paid cash at the desk.
    Dossier.objects.filter(pk=chose_online.pk).update(payment_method="online")
    chose_online.refresh_from_db()
    _paid(chose_online, method=Payment.Method.CASH)
    paid = _paid(refunded, method=Payment.Method.ONLINE, gateway="national")
    Payment.objects.filter(pk=paid.pk).update(
        state=Payment.State.REFUNDED, refunded_at=at("2020-10-05", 11), refund_reason="Nộp nhầm"
    )
    for dossier in [*with_fee, free]:
        resolve(dossier, at("2020-10-06"))
    card = _card(commune, district)
    # Base: the 4 finished with a fee (the free one left out); paid online: 2.
    # 50 % × 5 ÷ 100 = 2.50 points.
    assert (card["3.6"].numerator, card["3.6"].denominator, card["3.6"].rate_pct) == (2, 4, 50.0)
    assert card["3.6"].points == 2.5

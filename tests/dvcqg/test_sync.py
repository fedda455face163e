"""The outbox against the fake DVCQG, sent in this process (dvcqg.sending.dossier_sync)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.services import actions
from dvcqg.client import Client, DvcqgError
from dvcqg.models import Service, SyncRow
from dvcqg.selectors import progress_items
from dvcqg.sending import (
    UNCONFIRMED,
    _claim,
    _send_dossier,
    dossier_sync,
    errors_retry,
    sync_requeue,
)

pytestmark = pytest.mark.django_db
W = SyncRow.State


def journey(dossier, *, officer, specialist, commune):
    """Reception, a transfer to the specialist, and the resolution: three events."""
    dossier = actions.dossier_receive(dossier=dossier, actor=officer)
    dossier = actions.dossier_transfer(
        dossier=dossier, actor=officer, to_unit=commune, to_user=specialist, note="Chuyển xử lý"
    )
    return actions.dossier_resolve(dossier=dossier, actor=specialist, outcome="approved")


def sync(dossier):
    return dossier_sync(dossier_id=dossier.pk)


def states(dossier):
    return list(
        SyncRow.objects.filter(dossier=dossier)
        .order_by("service", "event_seq")
        .values_list("service", "event_seq", "state")
    )


def test_off_nothing_is_queued_and_nothing_sent(settings, fake_dvcqg, make_dossier):
    settings.DVCQG_URL = ""
    dossier = make_dossier()
    assert not SyncRow.objects.exists()
    assert sync(dossier).status == "off"
    assert sync_requeue() == {"stuck": 0, "published": 0}
    assert fake_dvcqg.calls() == []


def test_a_dossier_and_each_event_once_in_order(dvcqg, make_dossier, officer, specialist, commune):
    dossier = make_dossier()
    assert states(dossier) == [
        (Service.PROGRESS, 1, W.WAITING),
        (Service.DOSSIER, 0, W.WAITING),
    ]
    dossier = journey(dossier, officer=officer, specialist=specialist, commune=commune)
    assert sync(dossier).status == "done"

    [create, progress] = dvcqg.calls()
    assert (create.service, create.body["isUpdating"], create.code) == (
        "DongBoHoSoMC",
        "False",
        "0",
    )
    assert create.body["data"][0]["TrangThaiHoSo"] == "9"
    assert progress.service == "CapNhatTienDoHoSoMC"
    assert [i["TrangThai"] for i in dvcqg.progress(dossier.code)] == ["1", "2", "4", "9"]
    assert dvcqg.progress(dossier.code)[2]["NoiDungXuLy"] == "Chuyển xử lý"
    assert {s for *_, s in states(dossier)} == {W.ACKNOWLEDGED}

    # Nothing is sent twice; a later event sends the dossier as an update and one item.
    assert sync(dossier).status == "done"
    assert len(dvcqg.calls()) == 2
    actions.dossier_return(
        dossier=dossier, actor=officer, method="counter", recipient_name="Trần Thị Bình"
    )
    sync(dossier)
    update, more = dvcqg.calls()[2:]
    assert (update.service, update.body["isUpdating"]) == ("DongBoHoSoMC", "True")
    assert update.body["data"][0]["TrangThaiHoSo"] == "10"
    assert [i["TrangThai"] for i in more.body["data"]] == ["10"]
    assert [i["TrangThai"] for i in dvcqg.progress(dossier.code)] == ["1", "2", "4", "9", "10"]


def test_progress_waits_until_the_dossier_is_acknowledged(dvcqg, make_dossier):
    dossier = make_dossier()
    dvcqg.script("fail", service="DongBoHoSoMC")
    outcome = sync(dossier)
    assert outcome.status == "retry"
    assert [c.service for c in dvcqg.calls()] == ["DongBoHoSoMC"]  # no progress before it
    head = SyncRow.objects.get(dossier=dossier, service=Service.DOSSIER)
    assert (head.state, head.attempts, head.last_error) == (W.WAITING, 1, "HTTP 500")
    assert head.verify  # an HTTP 500 may hide a processed request

    assert sync(dossier).status == "done"
    assert [c.service for c in dvcqg.calls()] == ["DongBoHoSoMC"] * 2 + ["CapNhatTienDoHoSoMC"]
    assert len(dvcqg.progress(dossier.code)) == 1


def test_a_create_answered_already_exists_goes_again_as_an_update(dvcqg, make_dossier):
    dossier = make_dossier()
    dvcqg.script("exists", service="DongBoHoSoMC")
    assert sync(dossier).status == "done"
    create, update, _progress = dvcqg.calls()
    assert "đã tồn tại" in create.message
    assert (create.body["isUpdating"], update.body["isUpdating"]) == ("False", "True")
    assert create.body["data"] == update.body["data"]
    assert SyncRow.objects.get(dossier=dossier, service=Service.DOSSIER).held


def test_more_than_ten_events_go_in_calls_of_ten_oldest_first(
    dvcqg, make_dossier, officer, specialist, commune
):
    dossier = actions.dossier_receive(dossier=make_dossier(), actor=officer)
    for n in range(10):
        dossier = actions.dossier_transfer(
            dossier=dossier, actor=officer, to_unit=commune, note=f"Lần {n}"
        )
    sync(dossier)
    calls = dvcqg.calls("CapNhatTienDoHoSoMC")
    assert [len(c.body["data"]) for c in calls] == [10, 2]
    received = dvcqg.progress(dossier.code)
    assert [i["NoiDungXuLy"] for i in received[2:]] == [f"Lần {n}" for n in range(10)]


def test_a_time_out_is_checked_before_sending_again(dvcqg, make_dossier, officer):
    dossier = make_dossier()
    sync(dossier)
    actions.dossier_receive(dossier=dossier, actor=officer)
    dvcqg.script("timeout", service="CapNhatTienDoHoSoMC")
    assert sync(dossier).status == "retry"
    row = SyncRow.objects.get(dossier=dossier, event_seq=2)
    assert (row.state, row.verify) == (W.WAITING, True)
    assert "time-out" in row.last_error
    assert len(dvcqg.progress(dossier.code)) == 2  # it did arrive

    assert sync(dossier).status == "done"
    assert [c.service for c in dvcqg.calls()][-1] == "TraCuuHoSo"
    assert len(dvcqg.progress(dossier.code)) == 2  # not sent twice
    row.refresh_from_db()
    assert (row.state, row.verify) == (W.ACKNOWLEDGED, False)


def test_a_worker_lost_mid_send_is_recovered_without_a_duplicate(
    dvcqg, make_dossier, officer, monkeypatch
):
    # The periodic job publishes the dossier to the broker; here nothing takes it before the
    # test looks (with eager Celery, the embedded default, the task would run inline).
    monkeypatch.setattr("dvcqg.services.task_publish", lambda pk: 1)
    dossier = make_dossier()
    sync(dossier)
    actions.dossier_receive(dossier=dossier, actor=officer)
    # A worker sends the dossier, claims the event and DVCQG gets the item, then it dies.
    [head] = _claim(dossier.pk)
    assert _send_dossier(Client(), head) is None
    batch = _claim(dossier.pk)
    assert [r.event_seq for r in batch] == [2]
    Client().progress_send(progress_items(batch))
    SyncRow.objects.filter(pk__in=[r.pk for r in batch]).update(
        sending_at=timezone.now() - timedelta(minutes=10)
    )
    assert sync(dossier).status == "busy"  # nothing goes while a row is in sending
    assert sync_requeue()["stuck"] == 1
    row = SyncRow.objects.get(dossier=dossier, event_seq=2)
    assert (row.state, row.verify) == (W.WAITING, True)
    sync(dossier)
    assert [i["TrangThai"] for i in dvcqg.progress(dossier.code)] == ["1", "2"]
    row.refresh_from_db()
    assert row.state == W.ACKNOWLEDGED


def test_a_lost_send_that_never_arrived_goes_again(dvcqg, make_dossier, officer):
    dossier = make_dossier()
    sync(dossier)
    actions.dossier_receive(dossier=dossier, actor=officer)
    [head] = _claim(dossier.pk)
    _send_dossier(Client(), head)
    batch = _claim(dossier.pk)  # claimed, then the worker died before the call
    SyncRow.objects.filter(pk__in=[r.pk for r in batch]).update(
        sending_at=timezone.now() - timedelta(minutes=10)
    )
    sync_requeue()
    sync(dossier)
    assert [i["TrangThai"] for i in dvcqg.progress(dossier.code)] == ["1", "2"]


def test_unconfirmed_when_the_look_up_lists_no_progress(dvcqg, make_dossier, officer):
    dvcqg.lookup_lists_progress = False
    dossier = make_dossier()
    sync(dossier)
    actions.dossier_receive(dossier=dossier, actor=officer)
    dvcqg.script("timeout", service="CapNhatTienDoHoSoMC")
    sync(dossier)
    sync(dossier)
    row = SyncRow.objects.get(dossier=dossier, event_seq=2)
    assert (row.state, row.last_error) == (W.ERROR, UNCONFIRMED)
    assert len(dvcqg.progress(dossier.code)) == 2  # never blindly sent again
    # The nightly job checks again, and still sends nothing twice.
    assert errors_retry() == 1
    sync(dossier)
    assert len(dvcqg.progress(dossier.code)) == 2


def test_rejections_end_in_error_after_the_last_attempt(settings, dvcqg, make_dossier):
    settings.DVCQG_MAX_ATTEMPTS = 2
    dossier = make_dossier()
    dvcqg.script("reject", "reject", service="DongBoHoSoMC")
    sync(dossier)
    sync(dossier)
    head = SyncRow.objects.get(dossier=dossier, service=Service.DOSSIER)
    assert (head.state, head.attempts) == (W.ERROR, 2)
    assert "99" in head.last_error
    assert sync(dossier).status == "done"  # an error holds everything back
    assert len(dvcqg.calls()) == 2
    errors_retry()
    sync(dossier)
    assert len(dvcqg.progress(dossier.code)) == 1


def test_the_session_is_reused_and_renewed_when_it_expired(dvcqg, make_dossier, officer):
    dossier = make_dossier()
    sync(dossier)
    actions.dossier_receive(dossier=dossier, actor=officer)
    sync(dossier)
    assert dvcqg.logins == 1
    dvcqg.expire_sessions()
    actions.dossier_transfer(dossier=dossier, actor=officer, to_unit=dossier.unit)
    sync(dossier)
    assert dvcqg.logins == 2
    assert len(dvcqg.progress(dossier.code)) == 3


def test_the_bare_transport(settings, dvcqg, make_dossier, officer):
    settings.DVCQG_TRANSPORT = "bare"
    dossier = make_dossier()
    actions.dossier_receive(dossier=dossier, actor=officer)
    dvcqg.script("exists", service="DongBoHoSoMC")
    sync(dossier)
    assert {c.transport for c in dvcqg.calls()} == {"bare"}
    assert isinstance(dvcqg.calls()[0].body, list)  # a bare array
    assert dvcqg.calls()[0].body == dvcqg.calls()[1].body  # create, then the same as update
    assert dvcqg.logins == 0
    assert [i["TrangThai"] for i in dvcqg.progress(dossier.code)] == ["1", "2"]
    actions.dossier_transfer(dossier=dossier, actor=officer, to_unit=dossier.unit)
    dvcqg.script("timeout", service="CapNhatTienDoHoSoMC")
    sync(dossier)
    sync(dossier)
    assert [c.service for c in dvcqg.calls()][-1] == "TraCuuHoSo"
    assert len(dvcqg.progress(dossier.code)) == 3


def test_the_fake_rejects_malformed_bodies(dvcqg):
    client = Client()
    with pytest.raises(DvcqgError) as caught:
        client.dossier_send({"MaHoSo": "X"}, updating=False)
    assert caught.value.code == "1"
    assert "thiếu trường" in caught.value.message
    item = {
        "MaHoSo": "X",
        "NguoiXuLy": "A",
        "ChucDanh": "",
        "ThoiDiemXuLy": "2026-11-25",
        "PhongBanXuLy": "",
        "NoiDungXuLy": "",
        "TrangThai": "4",
        "NgayBatDau": "",
        "NgayKetThucTheoQuyDinh": "",
    }
    with pytest.raises(DvcqgError, match="yyyyMMddHHmmss"):
        client.progress_send([item])
    with pytest.raises(DvcqgError, match="tối đa 10"):
        client.progress_send([{**item, "ThoiDiemXuLy": "20261125090000"}] * 11)


def test_a_rolled_back_event_leaves_no_row(dvcqg, make_dossier, officer):
    from django.db import transaction

    from dossiers.services.core import dossier_transition

    dossier = make_dossier()

    def receive_then_fail() -> None:
        with transaction.atomic():
            dossier_transition(dossier=dossier, to="received", actor=officer)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        receive_then_fail()
    assert SyncRow.objects.filter(dossier=dossier, service=Service.PROGRESS).count() == 1

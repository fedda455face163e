"""The workbench opens on the queue that needs the officer now, and an action leads back to
the queue unless the officer's next step is on the same dossier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Dossier
from dossiers.selectors import queue_default
from portal.models import Role
from tests.dossiers.conftest import online_dossier
from tests.dossiers.test_views import login

pytestmark = pytest.mark.django_db


def test_the_default_queue_follows_the_role_and_what_is_waiting():
    counts = {"reception": 0, "late": 2, "due_soon": 1, "processing": 5, "to_return": 3}
    assert queue_default(roles={Role.DESK}, counts=counts) == "late"
    assert queue_default(roles={Role.DESK}, counts={**counts, "reception": 1}) == "reception"
    assert queue_default(roles={Role.SPECIALIST}, counts={**counts, "late": 0}) == "due_soon"
    assert queue_default(roles={Role.SPECIALIST}, counts={}) == "all"  # nothing needs them
    assert queue_default(roles={Role.LEADER}, counts=counts) == "all"


def test_a_desk_officer_opens_on_reception_then_the_specialist_on_the_due_soon_work(
    client, birth_registration, commune, officer, specialist
):
    dossier = online_dossier(birth_registration, commune)
    page = login(client, officer).get(reverse("officer-workbench"))
    assert page.context["queue"] == "reception"
    assert dossier.code in page.content.decode()
    received = client.post(reverse("officer-action-receive", args=[dossier.code]), {})
    assert received["Location"] == reverse("officer-dossier", args=[dossier.code])  # transfer next
    moved = client.post(
        reverse("officer-action-transfer", args=[dossier.code]), {"to_unit": commune.code}
    )
    assert moved["Location"] == reverse("officer-workbench")  # back to the queue
    page = login(client, specialist).get(reverse("officer-workbench"))
    assert page.context["queue"] == "due_soon"  # a birth registration is due the same day
    assert dossier.code in page.content.decode()


def test_an_explicit_queue_is_kept(client, officer):
    page = login(client, officer).get(reverse("officer-workbench"), {"queue": "all"})
    assert page.context["queue"] == "all"


def test_reception_hands_over_in_the_same_step_and_offers_mau_01(
    client, birth_registration, commune, officer, justice_office
):
    dossier = online_dossier(birth_registration, commune)
    response = login(client, officer).post(
        reverse("officer-action-receive", args=[dossier.code]), {"to_unit": justice_office.code}
    )
    assert response["Location"] == reverse("officer-workbench")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.handling_unit) == (Dossier.Status.PROCESSING, justice_office)
    page = client.get(response["Location"]).content.decode()
    receipt = reverse("officer-slip", args=[dossier.code, "receipt"])
    assert f'<a href="{receipt}" target="_blank" rel="noopener">' in page


def test_the_archive_is_counted_up_to_a_cap_and_pages_keep_their_order(
    client, birth_registration, commune, officer, monkeypatch
):
    monkeypatch.setattr("dossiers.selectors.ALL_COUNT_CAP", 3)
    made = [online_dossier(birth_registration, commune) for _ in range(5)]
    page = login(client, officer).get(reverse("officer-workbench"), {"queue": "all"})
    html = page.content.decode()
    assert dict(page.context["queues"])  # every queue still listed
    counts = {q.slug: n for q, n in page.context["queues"]}
    assert counts["all"] == 4  # the archive, capped
    assert counts["reception"] == 5  # a queue, exact
    assert 'data-queue-count="all">3+<' in html
    assert "Hơn 3 hồ sơ" in html
    newest_first = [
        d.code for d in sorted(made, key=lambda d: (d.submitted_at, d.pk), reverse=True)
    ]
    assert [d.code for d in page.context["rows"]] == newest_first  # a full page all the same
    assert all(d.procedure.name for d in page.context["rows"])  # related rows joined


def test_online_dossiers_waiting_for_acknowledgement_counted_on_the_clock_or_surely(
    birth_registration, commune
):
    from datetime import timedelta

    from django.utils import timezone

    from dossiers.deadlines import dossier_ack_overdue
    from dossiers.selectors import (
        dossiers_awaiting_acknowledgement,
        dossiers_awaiting_acknowledgement_count,
    )

    now = timezone.now()
    ages = [timedelta(hours=2), timedelta(days=3), timedelta(days=12), timedelta(days=45)]
    made = [online_dossier(birth_registration, commune, at=now - age) for age in ages]
    handled = Dossier.objects.filter(handling_unit=commune)
    expected = [d for d in made if dossier_ack_overdue(dossier=d, at=now)][::-1]  # oldest first
    assert made[-1] in expected  # 45 days: surely overdue, not counted hour by hour
    assert made[0] not in expected
    assert dossiers_awaiting_acknowledgement(handled=handled, at=now) == expected
    assert dossiers_awaiting_acknowledgement_count(handled=handled, at=now) == len(expected)


def test_the_search_reads_digits_as_numbers_and_words_as_names_in_any_scope(
    birth_registration, commune, monkeypatch
):
    from dossiers.selectors import dossier_search_q

    made = online_dossier(birth_registration, commune)
    other = online_dossier(birth_registration, commune)
    Dossier.objects.filter(pk=made.pk).update(search_text="lo thi mai")
    Dossier.objects.filter(pk=other.pk).update(
        search_text="nguyen van an", applicant_phone="0987654321"
    )
    for narrow in (True, False):  # the unit indexes or the names' trigram index: one answer
        qs = Dossier.objects.all()

        def found(text, narrow=narrow, qs=qs):
            return set(qs.filter(dossier_search_q(text, row_by_row=narrow)))

        assert found("Mai Lò") == {made}  # a name's words in any order, diacritics folded
        assert found("0987 654") == {other}  # a phone as people write it
        assert found("654321") == {other}  # any part of a phone
        assert found(made.code[-6:]) >= {made}  # any part of a code
        assert found("an") == {other}

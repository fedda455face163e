import datetime as dt

import pytest
from django.core.management import call_command

from dossiers.models import Dossier
from portal.models import Membership
from procedures.models import Procedure, Unit
from procedures.selectors import procedure_get, unit_list

DOMAIN_9 = {
    # code: (same day?, working days, counter fee)
    "1.001193": (True, None, 0),
    "1.000894": (True, None, 0),
    "1.000656": (True, None, 0),
    "2.000635": (True, None, 8_000),
    "2.000815": (True, None, 2_000),
    "2.000884": (True, None, 10_000),
    "2.001035": (False, 2, 50_000),
    "2.001019": (False, 2, 50_000),
    "1.001612": (False, 3, None),
    "1.004222": (False, None, None),
}


@pytest.mark.django_db
def test_seed_demo_builds_todays_province_keeps_the_letters_district_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Unit.objects.count(), Procedure.objects.count(), Membership.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Unit.objects.count(), Procedure.objects.count(), Membership.objects.count()) == counts

    # Today: the province centre and the four communes that replaced the district.
    today = unit_list(on=dt.date(2026, 12, 6))
    assert set(today.filter(kind=Unit.Kind.COMMUNE).values_list("name", "stat_code")) == {
        ("Xã Tân Uyên", "03598"),
        ("Xã Mường Khoa", "03601"),
        ("Xã Pắc Ta", "03616"),
        ("Xã Nậm Sỏ", "03613"),
    }
    assert not today.filter(kind=Unit.Kind.DISTRICT).exists()
    assert today.filter(is_one_stop_desk=True).count() == 5
    # History: the 2020 district, closed on 30/6/2025, each unit naming its successor.
    reporting = list(
        Unit.objects.filter(is_reporting_unit=True, valid_to=dt.date(2025, 6, 30))
        .order_by("report_order")
        .values_list("name", flat=True)
    )
    assert len(reporting) == 11
    assert reporting[0] == "Bộ phận TN&TKQ huyện Tân Uyên"
    assert "Ban quản lý dự án - Tân Uyên" in reporting
    assert not Unit.objects.filter(valid_to__isnull=False, successor__isnull=True).exists()
    assert Unit.objects.get(code="03605").successor.code == "12-03598-TTPVHCC"
    assert Unit.objects.get(code="03622").successor.code == "12-03613-TTPVHCC"
    communes = Unit.objects.filter(kind=Unit.Kind.COMMUNE, valid_to=dt.date(2025, 6, 30))
    assert communes.count() == 10  # the district town and nine communes
    assert set(communes.values_list("stat_code", flat=True)) == {
        "03598",
        "03601",
        "03602",
        "03604",
        "03605",
        "03607",
        "03610",
        "03613",
        "03616",
        "03622",
    }

    assert Procedure.objects.count() >= 30
    assert set(Procedure.objects.values_list("level", flat=True)) >= {2, 3, 4}
    for code, (same_day, days, fee) in DOMAIN_9.items():
        current = procedure_get(code=code, on=dt.date(2026, 12, 6))
        assert current.effective_from == dt.date(2025, 7, 1), code
        assert {u.parent.code for u in current.units.all()} >= {"12-03598", "12-03601"}, code
        counter = current.channels.get(channel="counter")
        assert counter.same_day is same_day, code
        if days is not None:
            assert counter.working_days == days, code
        if fee is not None:
            assert counter.fee_vnd == fee, code

    # Today's dossiers are at today's centres; the October 2020 history is untouched.
    units = set(Dossier.objects.filter(received_at__year=2026).values_list("unit__code", flat=True))
    assert units <= {"12-03598-TTPVHCC", "12-03601-TTPVHCC"}
    assert not Dossier.objects.filter(received_at__year=2020, events__kind="unit_closed").exists()

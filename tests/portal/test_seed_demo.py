import pytest
from django.core.management import call_command

from portal.models import Membership
from procedures.models import Procedure, Unit

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
def test_seed_demo_builds_the_letters_district_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (Unit.objects.count(), Procedure.objects.count(), Membership.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Unit.objects.count(), Procedure.objects.count(), Membership.objects.count()) == counts

    reporting = list(
        Unit.objects.filter(is_reporting_unit=True)
        .order_by("report_order")
        .values_list("name", flat=True)
    )
    assert len(reporting) == 11
    assert reporting[0] == "Bộ phận TN&TKQ huyện Tân Uyên"
    assert "Ban quản lý dự án - Tân Uyên" in reporting
    communes = Unit.objects.filter(kind=Unit.Kind.COMMUNE)
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
        counter = Procedure.objects.get(code=code).channels.get(channel="counter")
        assert counter.same_day is same_day, code
        if days is not None:
            assert counter.working_days == days, code
        if fee is not None:
            assert counter.fee_vnd == fee, code

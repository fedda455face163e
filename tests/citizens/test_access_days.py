"""'Who opened my dossier' lists each unit once per day, not once per page load."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from citizens.selectors import dossier_accesses
from dossiers.models import DossierAccess

pytestmark = pytest.mark.django_db


def test_fourteen_views_in_a_day_are_one_row(dossier_and_key, officer, commune, justice_office):
    dossier, _key = dossier_and_key
    for _view in range(14):
        DossierAccess.objects.create(dossier=dossier, user=officer, unit=commune, action="view")
    DossierAccess.objects.create(dossier=dossier, user=officer, unit=commune, action="download")
    DossierAccess.objects.create(dossier=dossier, user=officer, unit=justice_office, action="view")
    yesterday = DossierAccess.objects.create(
        dossier=dossier, user=officer, unit=commune, action="view"
    )
    DossierAccess.objects.filter(pk=yesterday.pk).update(at=timezone.now() - timedelta(days=1))
    rows = dossier_accesses(dossier=dossier)
    assert [(r["unit"], r["action"]) for r in rows] == [
        ("UBND xã Mường Khoa", "Tải tệp, Xem hồ sơ"),
        ("Phòng Tư pháp", "Xem hồ sơ"),
        ("UBND xã Mường Khoa", "Xem hồ sơ"),
    ]

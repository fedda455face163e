"""Helpers to give dossiers a history at chosen times, through the dossier services."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dossiers.models import Dossier
from dossiers.services.core import Applicant, dossier_create, dossier_transition
from portal.models import Membership, Role

S = Dossier.Status
VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = Applicant(
    name="Lò Văn Minh",
    id_number="012345678901",
    phone="0912345678",
    address="Bản Nà Ít, xã Mường Khoa",
)


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """A local (Vietnam) time on an ISO day."""
    return datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=VN)


def receive(procedure, unit, when: datetime, *, channel: str = "counter", actor=None) -> Dossier:
    """A dossier received at `when` (online ones are submitted an hour before)."""
    if channel == "online":
        dossier, _key = dossier_create(
            procedure=procedure,
            unit=unit,
            channel=channel,
            applicant=APPLICANT,
            at=when - dt.timedelta(hours=1),
        )
        return dossier_transition(dossier=dossier, to=S.RECEIVED, actor=actor, at=when)
    dossier, _key = dossier_create(
        procedure=procedure, unit=unit, channel=channel, applicant=APPLICANT, actor=actor, at=when
    )
    return dossier


def resolve(dossier: Dossier, when: datetime, actor=None) -> Dossier:
    return dossier_transition(
        dossier=dossier,
        to=S.RESOLVED,
        actor=actor,
        at=when,
        changes={"resolved_at": when, "outcome": "approved"},
    )


@pytest.fixture
def reporter(district):
    """The district's reporting officer: reads every report of the district."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="reporter", password="pw-reporter")
    Membership.objects.create(user=user, unit=district, role=Role.REPORTING)
    return user

"""Fixtures of the DVCQG tests: the fake portal, the settings that point at it, dossiers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dossiers.services.core import Applicant, dossier_create
from dvcqg.client import session_forget
from procedures.models import Channel
from tests.fakes.dvcqg import FakeDvcqg

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEDNESDAY_9AM = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
MADONVI, DSTCODE, USER, PASSWORD = "000.00.00.H33", "H33", "motcua", "secret"


def dvcqg_env(url: str, *, transport: str = "envelope") -> dict[str, str]:
    """The settings that point MotCua at a fake DVCQG (also a worker's environment)."""
    return {
        "DVCQG_URL": url,
        "DVCQG_AUTH_PATH": FakeDvcqg.AUTH,
        "DVCQG_INTEGRATION_PATH": FakeDvcqg.INTEGRATION,
        "DVCQG_SHARE_PATH": FakeDvcqg.SHARE,
        "DVCQG_USERNAME": USER,
        "DVCQG_PASSWORD": PASSWORD,
        "DVCQG_MADONVI": MADONVI,
        "DVCQG_DSTCODE": DSTCODE,
        "DVCQG_TRANSPORT": transport,
        "DVCQG_BARE_CREATE_URL": "/bare/create",
        "DVCQG_BARE_UPDATE_URL": "/bare/update",
        "DVCQG_BARE_PROGRESS_URL": "/bare/progress",
        "DVCQG_BARE_LOOKUP_URL": "/bare/lookup",
    }


@pytest.fixture(scope="session")
def fake_dvcqg_server() -> Iterator[FakeDvcqg]:
    with FakeDvcqg(
        madonvi=MADONVI, dstcode=DSTCODE, username=USER, password=PASSWORD, slow_seconds=1.0
    ) as fake:
        yield fake


@pytest.fixture
def fake_dvcqg(fake_dvcqg_server: FakeDvcqg) -> Iterator[FakeDvcqg]:
    fake_dvcqg_server.reset()
    session_forget()
    yield fake_dvcqg_server
    fake_dvcqg_server.reset()
    session_forget()


@pytest.fixture
def dvcqg(settings, fake_dvcqg: FakeDvcqg) -> FakeDvcqg:
    """The synchronisation on, talking to the fake through the envelope transport."""
    for name, value in dvcqg_env(fake_dvcqg.url).items():
        setattr(settings, name, value)
    settings.DVCQG_TIMEOUT = 0.5
    settings.DVCQG_RETRY_BACKOFF = 0
    settings.DVCQG_RETRY_BACKOFF_MAX = 0
    settings.SITE_URL = "https://motcua.example.vn"
    return fake_dvcqg


def applicant(**kwargs: Any) -> Applicant:
    values = {
        "name": "Trần Thị Bình",
        "id_number": "001203004005",
        "phone": "0912345678",
        "address": "Bản Nà Khoa, xã Mường Khoa",
        "email": "binh@example.vn",
    }
    values.update(kwargs)
    return Applicant(**values)


@pytest.fixture
def make_dossier(commune, birth_registration, certified_contract) -> Callable[..., Any]:
    def make(*, channel: str = Channel.ONLINE, at: datetime = WEDNESDAY_9AM, **kwargs: Any):
        procedure = birth_registration if channel == Channel.ONLINE else certified_contract
        dossier, _key = dossier_create(
            procedure=procedure,
            unit=commune,
            channel=channel,
            applicant=applicant(),
            at=at,
            **kwargs,
        )
        return dossier

    return make

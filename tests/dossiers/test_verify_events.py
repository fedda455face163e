"""Tampering with one stored event makes verify_events fail and name it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dossiers.models import DossierEvent
from tests.dossiers.conftest import S, dossier_in_state


@pytest.fixture
def two_dossiers(birth_registration, commune, admin_officer):
    return [
        dossier_in_state(
            S.RETURNED, procedure=birth_registration, unit=commune, actor=admin_officer
        )
        for _ in range(2)
    ]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_events", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_intact_chains_pass(two_dossiers):
    assert "2 dossier(s)" in run()
    assert "1 dossier(s)" in run("--code", two_dossiers[0].code)


def test_a_raw_update_is_detected_and_named(two_dossiers):
    victim = DossierEvent.objects.filter(dossier=two_dossiers[1]).order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {DossierEvent._meta.db_table} SET note = %s WHERE id = %s",  # noqa: S608
            ["sửa lén", victim.pk],
        )
    assert "1 dossier(s)" in run("--code", two_dossiers[0].code)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", stdout=out, stderr=out)
    assert f"{two_dossiers[1].code}: event #{victim.seq} (id {victim.pk}) was altered" in (
        out.getvalue()
    )
    with pytest.raises(CommandError):
        call_command("verify_events", "--code", two_dossiers[1].code, stdout=out, stderr=out)


def test_a_deleted_event_breaks_the_chain(two_dossiers):
    victim = DossierEvent.objects.filter(dossier=two_dossiers[0]).order_by("seq")[1]
    with connection.cursor() as cursor:
        # Rows of other apps that point at the event (e.g. SMS outbox) go first.
        for rel in DossierEvent._meta.get_fields(include_hidden=True):
            if rel.auto_created and not rel.concrete and rel.related_model is not None:
                table, column = rel.related_model._meta.db_table, rel.field.column
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} = %s",  # noqa: S608
                    [victim.pk],
                )
        cursor.execute(
            f"DELETE FROM {DossierEvent._meta.db_table} WHERE id = %s",  # noqa: S608
            [victim.pk],
        )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", stdout=out, stderr=out)
    assert f"event #{victim.seq + 1}" in out.getvalue()


def test_an_unknown_code_is_an_error(db):
    with pytest.raises(CommandError):
        run("--code", "nope")

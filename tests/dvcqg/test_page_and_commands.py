"""What officers see of the synchronisation, the resync command and DVCQG's file links."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from dossiers.models import DossierFile
from dossiers.services import actions
from dossiers.services.core import IncomingFile, dossier_file_store
from dvcqg.links import file_id_from, file_link, file_token
from dvcqg.models import Service, SyncRow
from dvcqg.sending import dossier_sync

pytestmark = pytest.mark.django_db
W = SyncRow.State


def test_officers_see_what_is_not_acknowledged_with_the_reason(
    client, dvcqg, make_dossier, officer, other_officer, leader
):
    dossier = make_dossier()
    dvcqg.script("reject", service="DongBoHoSoMC")
    dossier_sync(dossier_id=dossier.pk)
    url = reverse("dvcqg-sync")

    client.force_login(officer)
    page = client.get(url).content.decode()
    assert dossier.code in page
    assert "Hệ thống bận" in page  # the reason DVCQG gave
    assert page.count('data-state="waiting"') == 2  # the dossier and its first event

    client.force_login(leader)  # a district leader sees the communes
    assert dossier.code in client.get(url).content.decode()
    client.force_login(other_officer)  # another commune's officer does not
    assert dossier.code not in client.get(url).content.decode()

    client.force_login(officer)
    dossier_page = client.get(reverse("officer-dossier", args=[dossier.code])).content.decode()
    assert "Đồng bộ Cổng Dịch vụ công quốc gia" in dossier_page
    assert 'data-dvcqg-state="waiting"' in dossier_page

    dossier_sync(dossier_id=dossier.pk)
    assert dossier.code not in client.get(url).content.decode()
    assert client.get(url, {"state": "nonsense", "q": "x" * 500}).status_code == 200


def test_the_page_is_for_officers_only(client, django_user_model, dvcqg):
    citizen = django_user_model.objects.create_user("citizen", password="pw-citizen")
    client.force_login(citizen)
    assert client.get(reverse("dvcqg-sync")).status_code == 403
    client.logout()
    assert client.get(reverse("dvcqg-sync")).status_code == 302


def test_resync_sends_what_is_missing_never_an_acknowledged_event(
    settings, fake_dvcqg, make_dossier, officer
):
    settings.DVCQG_URL = ""
    dossier = make_dossier()  # before the synchronisation was on: no rows
    actions.dossier_receive(dossier=dossier, actor=officer)
    assert not SyncRow.objects.exists()

    from tests.dvcqg.conftest import dvcqg_env

    for name, value in dvcqg_env(fake_dvcqg.url).items():
        setattr(settings, name, value)
    out = io.StringIO()
    call_command("dvcqg_resync", "--code", dossier.code, stdout=out)
    assert "Queued 1 dossier(s) again (3 row(s) waiting)" in out.getvalue()
    dossier_sync(dossier_id=dossier.pk)
    assert [i["TrangThai"] for i in fake_dvcqg.progress(dossier.code)] == ["1", "2"]

    call_command("dvcqg_resync", "--since", "2026-11-01", stdout=out)
    dossier_sync(dossier_id=dossier.pk)
    # The dossier went again as an update; its events were not sent twice.
    assert [c.body.get("isUpdating") for c in fake_dvcqg.calls("DongBoHoSoMC")] == [
        "False",
        "True",
    ]
    assert len(fake_dvcqg.progress(dossier.code)) == 2


def test_resync_arguments_are_checked(settings, dvcqg):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("dvcqg_resync", "--since", "25/11/2026")
    with pytest.raises(CommandError, match="no dossier"):
        call_command("dvcqg_resync", "--code", "NOPE")
    with pytest.raises(CommandError, match="must not be empty"):
        call_command("dvcqg_resync", "--code", " ")
    settings.DVCQG_URL = ""
    with pytest.raises(CommandError, match="off"):
        call_command("dvcqg_resync")


def test_dvcqg_downloads_files_through_signed_links(client, dvcqg, make_dossier):
    dossier = make_dossier()
    stored = dossier_file_store(
        dossier=dossier,
        incoming=IncomingFile(
            document=None,
            upload=SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 test"),
            name="to-khai.pdf",
            extension=".pdf",
        ),
        kind=DossierFile.Kind.SUBMISSION,
    )
    dossier_sync(dossier_id=dossier.pk)
    [create] = dvcqg.calls("DongBoHoSoMC")
    [item] = create.body["data"][0]["TaiLieuNop"]
    # The link is signed with a timestamp (seconds): the same file, whenever it was signed.
    link = item["DuongDanTaiTepTin"]
    assert link.startswith(file_link(stored.pk).rsplit("/", 2)[0] + "/")
    assert file_id_from(link.rstrip("/").rsplit("/", 1)[1]) == stored.pk
    assert create.body["data"][0]["HoSoCoThanhPhanSoHoa"] == "1"
    response = client.get(reverse("dvcqg-file", args=[file_token(stored.pk)]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(reverse("dvcqg-file", args=[file_token(stored.pk) + "x"])).status_code == 404
    assert client.get(reverse("dvcqg-file", args=[f"{stored.pk}"])).status_code == 404


def test_the_dossier_row_is_one_per_dossier(dvcqg, make_dossier, officer):
    dossier = make_dossier()
    actions.dossier_receive(dossier=dossier, actor=officer)
    assert SyncRow.objects.filter(dossier=dossier, service=Service.DOSSIER).count() == 1
    assert SyncRow.objects.get(dossier=dossier, service=Service.DOSSIER).revision == 2

"""The officers' workbench pages: login, queues, reception, dossier page, actions, files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Dossier, DossierAccess, DossierEvent
from tests.dossiers.conftest import S, counter_dossier, dossier_in_state, online_dossier, pdf_upload


def login(client, user):
    client.force_login(user)
    return client


def test_login_page_and_redirect(client, officer):
    response = client.get(reverse("officer-login"))
    assert response.status_code == 200
    assert 'for="id_username"' in response.content.decode()
    response = client.post(reverse("officer-login"), {"username": "officer", "password": "wrong"})
    assert "error-summary" in response.content.decode()
    response = client.post(
        reverse("officer-login"), {"username": "officer", "password": "pw-officer"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/vao/"
    assert client.get("/can-bo/vao/")["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200
    response = client.post(reverse("officer-logout"))
    assert response.status_code == 302
    assert client.get("/can-bo/")["Location"].startswith(reverse("officer-login"))


def test_workbench_needs_an_officer(client, db):
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.create_user("citizen", password="x")
    assert client.get("/can-bo/").status_code == 302
    assert login(client, citizen).get("/can-bo/").status_code == 403


def test_workbench_shows_only_the_units_dossiers_with_counts(
    client, birth_registration, commune, other_commune, officer
):
    mine = online_dossier(birth_registration, commune)
    theirs = online_dossier(birth_registration, other_commune)
    response = login(client, officer).get("/can-bo/")
    html = response.content.decode()
    assert mine.code in html
    assert theirs.code not in html
    assert response.context["queues"][0][1] == 1  # awaiting reception
    response = client.get("/can-bo/", {"queue": "late"})
    assert mine.code not in response.content.decode()
    response = client.get("/can-bo/", {"q": "Nguyen Van"})
    assert mine.code in response.content.decode()
    response = client.get("/can-bo/", {"q": "không có ai"})
    assert mine.code not in response.content.decode()


def test_workbench_runs_a_constant_number_of_queries(
    client, birth_registration, commune, officer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    online_dossier(birth_registration, commune)
    login(client, officer)
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/")
    for _ in range(6):
        online_dossier(birth_registration, commune)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/can-bo/")
    assert len(response.context["rows"]) == 7


def test_dossier_page_is_404_for_another_unit_and_records_views(
    client, birth_registration, commune, officer, other_officer
):
    dossier = online_dossier(birth_registration, commune)
    url = reverse("officer-dossier", args=[dossier.code])
    assert login(client, other_officer).get(url).status_code == 404
    response = login(client, officer).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn An" in html
    assert "0912 345 678" in html  # the national form officers dial, as the citizen sees it
    assert reverse("officer-action-receive", args=[dossier.code]) in html
    access = DossierAccess.objects.get(dossier=dossier)
    assert (access.user, access.unit, access.action) == (officer, commune, "view")


def test_file_download_checks_scope_and_is_recorded(
    client, birth_registration, commune, officer, other_officer
):
    dossier = online_dossier(birth_registration, commune)
    file = dossier.files.first()
    url = reverse("officer-file", args=[dossier.code, file.pk])
    assert login(client, other_officer).get(url).status_code == 404
    response = login(client, officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DossierAccess.objects.filter(dossier=dossier, action="download", file=file).exists()


def test_an_action_moves_the_dossier_once_and_redirects(
    client, birth_registration, commune, officer
):
    dossier = online_dossier(birth_registration, commune)
    url = reverse("officer-action-receive", args=[dossier.code])
    assert login(client, officer).get(url).status_code == 405
    response = client.post(url, {"note": "Đủ hồ sơ"})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == S.RECEIVED
    # Again: the state no longer allows it → 409, nothing changes.
    events = DossierEvent.objects.filter(dossier=dossier).count()
    response = client.post(url, {"note": "lần hai"})
    assert response.status_code == 409
    assert "Đã tiếp nhận" in response.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


def test_action_pages_give_403_for_a_wrong_role_and_404_out_of_scope(
    client, birth_registration, commune, admin_officer, officer, other_officer, leader
):
    dossier = dossier_in_state(
        S.PROCESSING, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    url = reverse("officer-action-resolve", args=[dossier.code])
    assert login(client, officer).post(url, {"outcome": "approved"}).status_code == 403
    assert login(client, leader).post(url, {"outcome": "approved"}).status_code == 403
    assert login(client, other_officer).post(url, {"outcome": "approved"}).status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == S.PROCESSING


def test_an_invalid_action_form_shows_errors_next_to_fields(
    client, birth_registration, commune, officer
):
    dossier = online_dossier(birth_registration, commune)
    response = login(client, officer).post(
        reverse("officer-action-refuse", args=[dossier.code]), {"reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_refuse_reason"' in html
    assert 'class="field-error"' in html
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


def test_resolve_with_a_result_file_then_return(
    client, birth_registration, commune, admin_officer, officer
):
    dossier = dossier_in_state(
        S.PROCESSING, procedure=birth_registration, unit=commune, actor=admin_officer
    )
    login(client, admin_officer)
    response = client.post(
        reverse("officer-action-resolve", args=[dossier.code]),
        {"outcome": "approved", "note": "", "result_file": pdf_upload("giay-khai-sinh.pdf")},
    )
    assert response.status_code == 302
    assert dossier.files.filter(kind="result").count() == 1
    page = login(client, officer).get(reverse("officer-dossier", args=[dossier.code]))
    assert 'data-show-when="method=post"' in page.content.decode()
    response = login(client, officer).post(
        reverse("officer-action-return", args=[dossier.code]), {"method": "electronic"}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == S.RETURNED


def test_counter_reception_form(client, certified_contract, commune, officer, specialist):
    assert login(client, specialist).get(reverse("officer-reception")).status_code == 403
    login(client, officer)
    response = client.get(reverse("officer-reception"))
    assert response.status_code == 200
    params = {"unit": commune.pk, "procedure": certified_contract.pk}
    response = client.get(reverse("officer-reception"), params)
    doc = certified_contract.documents.first()
    assert f'name="document_{doc.pk}"' in response.content.decode()
    data = {
        **params,
        "channel": "counter",
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "001122334455",
        "applicant_phone": "0987654321",
        "applicant_address": "Mường Khoa",
        "delivery": "counter",
    }
    response = client.post(reverse("officer-reception"), data)
    assert response.status_code == 400  # the required document is not checked
    assert Dossier.objects.count() == 0
    response = client.post(
        reverse("officer-reception"),
        {**data, "checklist": [str(doc.pk)], f"document_{doc.pk}": pdf_upload()},
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("officer-dossier", args=[dossier.code])
    assert (dossier.status, dossier.channel, dossier.applicant_name) == (
        S.RECEIVED,
        "counter",
        "Trần Thị Bình",
    )
    assert dossier.files.count() == 1


def test_slips_download(client, certified_contract, commune, officer, other_officer):
    dossier = counter_dossier(certified_contract, commune, officer)
    url = reverse("officer-slip", args=[dossier.code, "receipt"])
    assert login(client, other_officer).get(url).status_code == 404
    response = login(client, officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert client.get(reverse("officer-slip", args=[dossier.code, "apology"])).status_code == 404


def test_register_download(client, certified_contract, commune, officer):
    login(client, officer)
    assert client.get(reverse("officer-register")).status_code == 200
    response = client.get(
        reverse("officer-register"),
        {"unit": commune.pk, "start": "2026-01-01", "end": "2026-12-31", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


@pytest.mark.parametrize("action", ["apologize"])
def test_apology_form_only_for_the_head(
    client, certified_contract, commune, officer, supervisor, action
):
    from tests.dossiers.conftest import vn

    dossier = counter_dossier(certified_contract, commune, officer, vn(2026, 3, 2, 9, 0))
    page = login(client, officer).get(reverse("officer-dossier", args=[dossier.code]))
    assert "cần lập Phiếu xin lỗi" in page.content.decode()  # the dossier is late
    url = reverse("officer-action-apologize", args=[dossier.code])
    data = {"reason": "Chậm xác minh", "new_due_at": "2030-03-06T16:00"}
    assert login(client, officer).post(url, data).status_code == 403
    response = login(client, supervisor).post(url, data)
    assert response.status_code == 302
    assert dossier.apology.reason == "Chậm xác minh"
    page = client.get(reverse("officer-dossier", args=[dossier.code])).content.decode()
    assert supervisor.username in page
    assert "cần lập Phiếu xin lỗi" not in page


def test_the_admin_lists_dossiers_read_only(client, birth_registration, commune):
    from django.contrib.auth import get_user_model

    dossier = online_dossier(birth_registration, commune)
    root = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(root)
    response = client.get("/quan-tri/dossiers/dossier/")
    assert response.status_code == 200
    assert dossier.code in response.content.decode()
    assert client.get("/quan-tri/dossiers/dossier/add/").status_code == 403


def test_a_desk_of_one_unit_finds_it_chosen_on_the_reception_form(client, commune, officer):
    """The first step asks for the receiving unit; a desk officer of one unit has nothing to
    choose, so it is chosen and the empty choice is gone."""
    page = login(client, officer).get(reverse("officer-reception"))
    unit = page.context["form"]["unit"]
    assert unit.value() == commune.pk
    assert [choice[0] for choice in unit.field.choices] == [commune.pk]


@pytest.mark.parametrize(
    "name",
    [
        "officer-workbench",
        "officer-reception",
        "officer-guidance",
        "officer-register",
        "payment-reconciliation",
        "dvcqg-sync",
    ],
)
def test_every_officer_page_has_the_officers_bar_in_place_of_the_public_menu(
    client, commune, officer, name
):
    html = login(client, officer).get(reverse(name)).content.decode()
    assert 'class="main-nav officer-bar"' in html
    assert reverse("procedure-list") not in html  # the public menu's "Thủ tục hành chính"

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_finds_procedures_ignoring_diacritics_and_case(
    client, birth_registration, certified_contract
):
    response = client.get(reverse("api-procedures"), {"search": "KHAI sinh"})
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == ["1.001193"]


@pytest.mark.django_db
def test_it_finds_by_accented_query_and_code(client, birth_registration, certified_contract):
    by_text = client.get(reverse("api-procedures"), {"search": "chứng thực"}).json()
    by_code = client.get(reverse("api-procedures"), {"search": "2.001035"}).json()
    assert [r["code"] for r in by_text["results"]] == ["2.001035"]
    assert [r["code"] for r in by_code["results"]] == ["2.001035"]


@pytest.mark.django_db
def test_it_lists_the_contract_fields(client, birth_registration):
    row = client.get(reverse("api-procedures")).json()["results"][0]
    assert row == {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "level": 3,
        "online_level": "partial",
        "time_limit": {"same_day": True},
        "fee_vnd": 0,
        "units": ["03601", "03613"],
    }


@pytest.mark.django_db
def test_it_filters_by_level_and_unit(client, birth_registration, certified_contract):
    level2 = client.get(reverse("api-procedures"), {"level": 2}).json()
    by_unit = client.get(reverse("api-procedures"), {"unit": "03613"}).json()
    assert [r["code"] for r in level2["results"]] == ["2.001035"]
    assert [r["code"] for r in by_unit["results"]] == ["1.001193"]


@pytest.mark.django_db
def test_detail_has_documents_and_steps(client, certified_contract):
    data = client.get(reverse("api-procedure", args=["2.001035"])).json()
    assert data["time_limit"] == {"working_days": 2}
    assert data["fee_vnd"] == 50_000
    assert data["steps"] == ["Nộp hồ sơ", "Nhận kết quả"]
    assert [d["name"] for d in data["documents"]] == ["Tờ khai"]
    assert data["documents"][0]["template_url"] is None


@pytest.mark.django_db
def test_unknown_procedure_is_404(client):
    assert client.get(reverse("api-procedure", args=["9.999999"])).status_code == 404


@pytest.mark.django_db
def test_units_endpoint_lists_the_tree(client, commune):
    data = client.get(reverse("api-units")).json()
    by_code = {u["code"]: u for u in data}
    assert by_code["03601"] == {
        "code": "03601",
        "name": "UBND xã Mường Khoa",
        "kind": "commune",
        "parent": "111",
        "e_id": "000.41.11.H33",
        "stat_code": "03601",
        "valid_from": "2000-01-01",
        "valid_to": None,
        "successor": None,
        "other_successors": [],
    }
    assert by_code["12"]["kind"] == "province"


@pytest.mark.django_db
def test_schema_and_docs_are_published(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200

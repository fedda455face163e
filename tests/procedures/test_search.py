"""The catalogue search understands how people write: diacritics, i/y, typos, synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from procedures.models import SearchSynonym
from procedures.search import procedure_search_score, search_query_parse
from procedures.selectors import procedure_list
from procedures.services import procedures_import, units_load

DATA = Path(settings.BASE_DIR) / "procedures" / "data"
BIRTH_REGISTRATION = "1.001193"
LAND_USE_CERTIFICATE = "1.004227"
BOARDING_SCHOOL_SUPPORT = "2.001842"


@pytest.fixture
def catalogue(db):
    units_load(path=DATA / "demo_units.json")
    assert procedures_import(path=DATA / "demo_procedures.json").ok


@pytest.mark.parametrize(
    "query",
    ["đăng kí khai sinh", "dang ki khai sinh", "giấy khai sinh", "khai sinh cho con", "khai sinnh"],
)
def test_each_phrasing_finds_birth_registration_first(catalogue, query):
    codes = [p.code for p in procedure_list(search=query)]
    assert codes[0] == BIRTH_REGISTRATION


def test_so_do_finds_the_land_use_certificate_and_not_the_boarding_school(catalogue):
    codes = [p.code for p in procedure_list(search="sổ đỏ")]
    assert codes[0] == LAND_USE_CERTIFICATE
    assert BOARDING_SCHOOL_SUPPORT not in codes


def test_the_page_and_the_api_rank_the_same_way(catalogue, client):
    html = client.get(reverse("procedure-list"), {"q": "dang ki khai sinh"}).content.decode()
    api = client.get(reverse("api-procedures"), {"search": "dang ki khai sinh"}).json()
    assert api["results"][0]["code"] == BIRTH_REGISTRATION
    assert html.index("Đăng ký khai sinh") < html.index("Đăng ký khai tử")


def test_a_query_matching_nothing_finds_nothing(catalogue):
    assert list(procedure_list(search="xyzzy qwerty")) == []


def test_synonyms_are_data_an_administrator_can_add(catalogue):
    marriage = "1.000894"
    assert marriage not in [p.code for p in procedure_list(search="báo hỉ")]
    SearchSynonym.objects.create(phrase="báo hỉ", means="đăng ký kết hôn")
    assert procedure_list(search="báo hỉ")[0].code == marriage


def test_the_field_of_work_finds_its_procedures(catalogue):
    codes = [p.code for p in procedure_list(search="hộ tịch")]
    assert BIRTH_REGISTRATION in codes


def test_the_python_score_matches_postgresqls_on_the_ranking(db):
    """The SQLite fallback ranks by the same rule: a typo still counts, a far word does not."""
    query = search_query_parse(text="khai sinnh")
    birth = procedure_search_score(
        query, search_text="1.001193 dang ki khai sinh", field_name="Hộ tịch"
    )
    death = procedure_search_score(
        query, search_text="1.000656 dang ki khai tu", field_name="Hộ tịch"
    )
    assert birth > death > 0
    assert (
        procedure_search_score(
            search_query_parse(text="dat"), search_text="dac biet", field_name="Giáo dục"
        )
        == 0
    )

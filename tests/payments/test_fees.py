"""fee_compute: free, fixed, per copy, per page with caps, per channel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from procedures.fees import fee_compute, fee_lines, fee_rule_text
from procedures.models import ProcedureChannel
from tests.conftest import make_procedure

CERTIFIED_COPY = {
    "kind": "per_page",
    "first_pages": 2,
    "first_page_vnd": 2000,
    "next_page_vnd": 1000,
    "max_per_copy_vnd": 200_000,
}


@pytest.fixture
def certified_copy(commune):
    procedure = make_procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính",
        level=2,
        units=[commune],
        fee_vnd=2000,
        field="Chứng thực",
    )
    procedure.fee_rule = CERTIFIED_COPY
    procedure.save()
    return procedure


@pytest.mark.parametrize(
    ("pages", "copies", "expected"),
    [
        (None, 1, 2_000),  # the catalogue's ordinary request: a one-page copy
        (1, 1, 2_000),
        (2, 1, 4_000),
        (3, 1, 5_000),  # 1.000 đ from page 3
        (10, 1, 12_000),
        (198, 1, 200_000),  # exactly the cap
        (199, 1, 200_000),  # capped per copy
        (500, 1, 200_000),
        (5, 3, 21_000),  # 7.000 đ a copy
        (300, 2, 400_000),  # the cap is per copy
    ],
)
def test_certified_copies_cost_per_page_with_a_cap_per_copy(
    certified_copy, pages, copies, expected
):
    assert (
        fee_compute(procedure=certified_copy, channel="counter", pages=pages, copies=copies)
        == expected
    )


@pytest.mark.parametrize(("pages", "copies"), [(1, 1), (3, 1), (199, 1), (5, 3), (300, 2)])
def test_fee_lines_add_up_to_the_fee(certified_copy, pages, copies):
    lines = fee_lines(procedure=certified_copy, channel="counter", pages=pages, copies=copies)
    assert sum(line.amount_vnd for line in lines) == fee_compute(
        procedure=certified_copy, channel="counter", pages=pages, copies=copies
    )
    assert all(line.quantity * line.unit_vnd == line.amount_vnd for line in lines)


def test_per_copy_fee_multiplies_the_copies(commune):
    procedure = make_procedure(
        code="2.000635",
        name="Cấp bản sao trích lục hộ tịch",
        level=4,
        units=[commune],
        fee_vnd=8000,
    )
    procedure.fee_rule = {"kind": "per_copy", "per_copy_vnd": 8000}
    procedure.save()
    assert fee_compute(procedure=procedure, channel="online") == 8_000
    assert fee_compute(procedure=procedure, channel="online", copies=3) == 24_000


def test_a_procedure_without_fee_is_free(birth_registration):
    assert fee_compute(procedure=birth_registration, channel="online") == 0
    assert fee_lines(procedure=birth_registration, channel="online") == []
    assert fee_rule_text(procedure=birth_registration, channel="online") == "Không mất phí, lệ phí"


def test_a_free_rule_wins_over_a_channel_fee(certified_contract):
    certified_contract.fee_rule = {"kind": "free"}
    certified_contract.save()
    assert fee_compute(procedure=certified_contract, channel="counter") == 0


def test_a_fixed_fee_is_per_request_whatever_the_pages(certified_contract):
    assert fee_compute(procedure=certified_contract, channel="counter") == 50_000
    assert (
        fee_compute(procedure=certified_contract, channel="counter", pages=40, copies=3) == 50_000
    )
    certified_contract.fee_rule = {"kind": "fixed", "amount_vnd": 60_000}
    certified_contract.save()
    assert fee_compute(procedure=certified_contract, channel="counter") == 60_000


def test_each_channel_has_its_own_fee(commune):
    procedure = make_procedure(
        code="1.004222", name="Đăng ký thường trú", level=4, units=[commune], fee_vnd=20_000
    )
    ProcedureChannel.objects.filter(procedure=procedure, channel="online").update(fee_vnd=10_000)
    assert fee_compute(procedure=procedure, channel="counter") == 20_000
    assert fee_compute(procedure=procedure, channel="online") == 10_000


def test_a_channel_not_offered_costs_as_the_counter(certified_contract):
    assert fee_compute(procedure=certified_contract, channel="online") == 50_000


def test_a_rule_price_left_out_is_the_channel_fee(commune):
    procedure = make_procedure(
        code="2.000942", name="Bản sao hợp đồng", level=2, units=[commune], fee_vnd=3000
    )
    procedure.fee_rule = {"kind": "per_page", "first_pages": 1, "next_page_vnd": 500}
    procedure.save()
    assert fee_compute(procedure=procedure, channel="counter", pages=3) == 3000 + 2 * 500


@pytest.mark.parametrize(("pages", "copies"), [(0, 1), (-2, 1), (3, 0), ("x", 1)])
def test_nonsense_counts_are_refused(certified_copy, pages, copies):
    with pytest.raises(ValidationError):
        fee_compute(procedure=certified_copy, channel="counter", pages=pages, copies=copies)


def test_an_unknown_rule_kind_is_refused(certified_copy):
    certified_copy.fee_rule = {"kind": "per_kilogram"}
    certified_copy.save()
    with pytest.raises(ValidationError):
        fee_compute(procedure=certified_copy, channel="counter")


def test_the_rule_reads_in_words(certified_copy):
    assert fee_rule_text(procedure=certified_copy, channel="counter") == (
        "2.000 đồng/trang cho 2 trang đầu, 1.000 đồng/trang từ trang thứ 3, tối đa "
        "200.000 đồng mỗi bản"
    )

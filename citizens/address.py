"""Addresses from the official list of provinces and communes (the `vietnam-provinces` package).

Since 1 July 2025 Vietnam has two tiers: 34 provinces and about 3,300 communes/wards. The
package's codes are the statistical (GSO) codes; we keep them as strings.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward, WardCode

# The province pre-selected on forms (Lai Châu for the letter's district); a setting so that
# another province's installation does not need a code change.
DEFAULT_PROVINCE = "12"


def default_province() -> str:
    return str(getattr(settings, "CITIZENS_DEFAULT_PROVINCE", DEFAULT_PROVINCE))


@cache
def province_choices() -> tuple[tuple[str, str], ...]:
    rows = sorted(Province.iter_all(), key=lambda p: _sort_key(p.name))
    return tuple((str(int(p.code)), p.name) for p in rows)


@cache
def ward_choices(province: str) -> tuple[tuple[str, str], ...]:
    code = _province_code(province)
    if code is None:
        return ()
    rows = sorted(Ward.iter_by_province(code), key=lambda w: _sort_key(w.name))
    return tuple((str(int(w.code)), w.name) for w in rows)


def province_name(code: str) -> str:
    pc = _province_code(code)
    if pc is None:
        return ""
    province = Province.from_code(pc)
    if province.division_type == VietNamDivisionType.TINH:
        return f"tỉnh {province.name}"
    return province.name


def ward_in_province(*, ward: str, province: str) -> bool:
    return ward in {code for code, _name in ward_choices(province)}


def ward_name(code: str) -> str:
    try:
        return Ward.from_code(WardCode(int(code))).name
    except (ValueError, TypeError):
        return ""


def address_compose(*, street: str, ward: str, province: str) -> str:
    """ "Bản Nà Bó, Xã Mường Khoa, tỉnh Lai Châu": how the address reads on slips and envelopes."""
    parts = [street.strip(), ward_name(ward), province_name(province)]
    return ", ".join(p for p in parts if p)


def _province_code(code: str) -> ProvinceCode | None:
    try:
        return ProvinceCode(int(code))
    except (ValueError, TypeError):
        return None


def _sort_key(name: str) -> str:
    from procedures.text import fold

    # "Thành phố Hà Nội" is looked for under H, "Xã Mường Khoa" under M.
    for prefix in ("thanh pho ", "xa ", "phuong ", "dac khu "):
        folded = fold(name)
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return fold(name)


_PLACE_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ", "xa ", "phuong ", "dac khu ", "thi tran ")


def _place_key(name: str) -> str:
    from procedures.text import fold

    folded = fold(name)
    for prefix in _PLACE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :].strip()
    return folded


def address_parse(text: str) -> dict[str, str]:
    """A written address ("Bản Nà Bó, xã Mường Khoa, tỉnh Lai Châu") placed on the official
    list: the province and the commune found by name from the end, the rest as the street
    part. What cannot be placed stays in the street part for the citizen to check."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    provinces = {_place_key(name): code for code, name in province_choices()}
    for i in range(len(parts) - 1, -1, -1):
        province = provinces.get(_place_key(parts[i]))
        if province:
            break
    else:
        return {"street": ", ".join(parts)[:150]} if parts else {}
    before = parts[:i]
    wards = {_place_key(name): code for code, name in ward_choices(province)}
    for j in range(len(before) - 1, -1, -1):
        ward = wards.get(_place_key(before[j]))
        if ward:
            return {"province": province, "ward": ward, "street": ", ".join(before[:j])[:150]}
    return {"province": province, "street": ", ".join(before)[:150]}

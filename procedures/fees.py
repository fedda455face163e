"""Fees per procedure and channel (phí, lệ phí): free, fixed, per page or per copy, with caps.

The catalogue holds the data: `ProcedureChannel.fee_vnd` is the fee of one ordinary request on
that channel (for a per-page fee, a one-page copy), and `Procedure.fee_rule` is null (the
channel fee is the fee) or one of

    {"kind": "free"}
    {"kind": "fixed", "amount_vnd": 50000}
    {"kind": "per_copy", "per_copy_vnd": 8000}
    {"kind": "per_page", "first_pages": 2, "first_page_vnd": 2000, "next_page_vnd": 1000,
     "max_per_copy_vnd": 200000}

e.g. certified copies (Thông tư 226/2016/TT-BTC): 2.000 đ a page for the first two pages,
1.000 đ a page from the third, at most 200.000 đ a copy. A price missing from the rule is the
channel's fee, so a rule can be shared while channels keep their own prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from procedures.models import Channel, Procedure

RULE_KINDS = ("free", "fixed", "per_copy", "per_page")


@dataclass(frozen=True)
class FeeLine:
    """One line of the computation, as shown before submission and on the receipt."""

    label: str
    quantity: int
    unit_vnd: int
    amount_vnd: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "quantity": self.quantity,
            "unit_vnd": self.unit_vnd,
            "amount_vnd": self.amount_vnd,
        }


def channel_fee(*, procedure: Procedure, channel: str) -> int:
    """The channel's own fee; a channel the procedure does not list costs as the counter."""
    rows = {c.channel: c.fee_vnd for c in procedure.channels.all()}
    return int(rows.get(channel, rows.get(Channel.COUNTER, 0)))


def fee_rule(procedure: Procedure) -> dict[str, Any] | None:
    rule = procedure.fee_rule
    if not rule:
        return None
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        raise ValidationError(
            _("Cách tính phí của thủ tục %(code)s không hợp lệ.") % {"code": procedure.code}
        )
    return rule


def _rule_or_channel_fee(procedure: Procedure, base: int) -> dict[str, Any]:
    """The procedure's rule; without one, the channel's fee `base` per request (free at 0)."""
    return fee_rule(procedure) or {"kind": "fixed" if base else "free"}


def fee_needs_copies(*, procedure: Procedure) -> bool:
    rule = fee_rule(procedure)
    return bool(rule and rule["kind"] in ("per_page", "per_copy"))


def _count(value: int | None, name: str, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Vui lòng nhập một số nguyên.")}) from None
    if number < minimum:
        raise ValidationError({name: _("Giá trị nhỏ nhất là %(n)s.") % {"n": minimum}})
    return number


def _page_price(rule: dict[str, Any], pages: int, base: int) -> tuple[list[FeeLine], int]:
    """The price of one copy of `pages` pages, and its lines, capped per copy."""
    first_pages = int(rule.get("first_pages", 2))
    first = int(rule.get("first_page_vnd", base))
    following = int(rule.get("next_page_vnd", first))
    cap = rule.get("max_per_copy_vnd")
    head = min(pages, first_pages)
    tail = max(0, pages - first_pages)
    lines = [
        FeeLine(
            _("Trang 1 đến %(n)s") % {"n": head} if head > 1 else _("Trang 1"),
            head,
            first,
            head * first,
        )
    ]
    if tail:
        lines.append(
            FeeLine(
                _("Từ trang %(n)s trở đi") % {"n": first_pages + 1},
                tail,
                following,
                tail * following,
            )
        )
    price = head * first + tail * following
    if cap is not None and price > int(cap):
        lines.append(
            FeeLine(
                _("Giảm về mức tối đa %(cap)s đồng mỗi bản") % {"cap": money(cap)},
                1,
                int(cap) - price,
                int(cap) - price,
            )
        )
        price = int(cap)
    return lines, price


def fee_lines(
    *, procedure: Procedure, channel: str, pages: int | None = None, copies: int = 1
) -> list[FeeLine]:
    """The computation line by line; their amounts add up to fee_compute().

    `pages` is the number of pages of one copy (per-page fees); without it a per-page fee is
    priced as a one-page copy, the catalogue's ordinary request. `copies` counts the copies
    (per-page and per-copy fees); other fees are per request.
    """
    base = channel_fee(procedure=procedure, channel=channel)
    rule = _rule_or_channel_fee(procedure, base)
    kind = rule["kind"]
    if kind == "free":
        return []
    if kind == "fixed":
        amount = int(rule.get("amount_vnd", base))
        return [FeeLine(_("Phí, lệ phí mỗi hồ sơ"), 1, amount, amount)] if amount else []
    copies = _count(copies, "copies", 1)
    if kind == "per_copy":
        unit = int(rule.get("per_copy_vnd", base))
        return [FeeLine(_("Mỗi bản"), copies, unit, unit * copies)]
    pages = 1 if pages is None else _count(pages, "pages", 1)
    lines, price = _page_price(rule, pages, base)
    if copies == 1:
        return lines
    return [FeeLine(_("Mỗi bản %(pages)s trang") % {"pages": pages}, copies, price, price * copies)]


def fee_compute(
    *, procedure: Procedure, channel: str, pages: int | None = None, copies: int = 1
) -> int:
    """The fee in đồng for a request on `channel` (see fee_lines for pages and copies)."""
    return sum(
        line.amount_vnd
        for line in fee_lines(procedure=procedure, channel=channel, pages=pages, copies=copies)
    )


def fee_rule_text(*, procedure: Procedure, channel: str) -> str:
    """The rule in words, for the pages that show a fee before the pages are counted."""
    base = channel_fee(procedure=procedure, channel=channel)
    rule = _rule_or_channel_fee(procedure, base)
    if rule["kind"] == "free":
        return _("Không mất phí, lệ phí")
    if rule["kind"] == "fixed":
        return _("%(amount)s đồng mỗi hồ sơ") % {"amount": money(rule.get("amount_vnd", base))}
    if rule["kind"] == "per_copy":
        return _("%(amount)s đồng mỗi bản") % {"amount": money(rule.get("per_copy_vnd", base))}
    text = _(
        "%(first)s đồng/trang cho %(n)s trang đầu, %(next)s đồng/trang từ trang thứ %(n1)s"
    ) % {
        "first": money(rule.get("first_page_vnd", base)),
        "n": rule.get("first_pages", 2),
        "next": money(rule.get("next_page_vnd", base)),
        "n1": int(rule.get("first_pages", 2)) + 1,
    }
    if rule.get("max_per_copy_vnd") is not None:
        text += _(", tối đa %(cap)s đồng mỗi bản") % {"cap": money(rule["max_per_copy_vnd"])}
    return text


def money(value: Any) -> str:
    """10000 → "10.000": whole đồng grouped by "." in every language (Vietnamese money is
    written the Vietnamese way). The one rule of the pages, PDFs and messages that print an
    amount; the templates use it through the `vnd` and `money` filters (citizen_tags)."""
    return f"{int(value):,}".replace(",", ".")


def money_text(value: Any) -> str:
    """10000 → "10.000 đồng" (English: "10.000 VND"): an amount with its unit."""
    unit = _("đồng")  # outside the f-string: xgettext cannot see into one
    return f"{money(value)} {unit}"

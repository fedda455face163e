"""Decision 766/QĐ-TTg (23/6/2022) service-quality indicators, from the portal's own data.

Sources (docs/REPORTS.md): how each indicator is counted and the scoring rule come from the
national portal's description of its formulas; group weights, per-indicator points and the
grade bands from secondary sources, some unconfirmed (marked below and on the page).

Scoring: a rate at or above its threshold earns the indicator's full points; below it,
points = rate × max ÷ threshold, rounded to 2 decimals. An indicator is N/A (no points, left
out of the maximum) when its base is empty or when the portal holds no data for it, with the
reason; never 100 %. The overall score is the points earned out of the points that could be
earned, scaled to 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from procedures.models import Unit
from reports.access import RECEIVING, UNIT_FIELDS, unit_tree_map
from reports.selectors.indicator_counts import (
    COUNT_KEYS,
    ProcedureFacts,
    average_days,
    counts_by_unit,
    national_sync_on,
    procedures_by_unit,
)
from reports.selectors.periods import Period
from reports.selectors.sums import rate_pct, without_jit

PUBLICITY = _("Công khai, minh bạch")
PROGRESS = _("Tiến độ, kết quả giải quyết")
ONLINE = _("Cung cấp dịch vụ trực tuyến")
PAYMENT = _("Thanh toán trực tuyến")
DIGITISATION = _("Số hóa hồ sơ")
SATISFACTION = _("Mức độ hài lòng")

NO_PUBLICATION_DATES = _("Danh mục thủ tục chưa lưu ngày công bố và ngày công khai.")
NO_NATIONAL_SYNC = _("Chưa kết nối Cổng DVC quốc gia.")
NO_REUSE_DATA = _("Hệ thống chưa ghi nhận việc tái sử dụng giấy tờ đã số hóa.")
NO_DATA_STORE = _("Hệ thống chưa kết nối kho dữ liệu của công dân.")
NO_FEEDBACK = _("Hệ thống chưa có chức năng tiếp nhận, xử lý phản ánh, kiến nghị.")
NOT_SCORED = _("Chỉ số đo lường, chưa xác nhận cách chấm điểm.")
EMPTY_BASE = _("Không có đối tượng để tính trong kỳ.")


@dataclass(frozen=True)
class Spec:
    """One indicator. Points per indicator are the decision's where a source gives them
    (`confirmed`); otherwise a provisional share of the group's weight (unconfirmed)."""

    key: str
    group: Any
    label: Any
    max_points: float
    threshold_pct: float = 100
    confirmed: bool = False
    unsupported: Any = None  # why the portal's data cannot support it


SPECS: tuple[Spec, ...] = (
    # Publicity, 18 points; 1.2 = 4 points (secondary source), the rest unconfirmed.
    Spec("1.1", PUBLICITY, _("TTHC được công bố đúng hạn"), 4, unsupported=NO_PUBLICATION_DATES),
    Spec(
        "1.2",
        PUBLICITY,
        _("TTHC được cập nhật, công khai đúng hạn trên CSDL quốc gia"),
        4,
        confirmed=True,
        unsupported=NO_PUBLICATION_DATES,
    ),
    Spec("1.3", PUBLICITY, _("TTHC công khai đầy đủ các bộ phận"), 4),
    # 1.4: received dossiers the national portal holds ÷ received; N/A while the
    # synchronisation is off (indicators_compute).
    Spec("1.4", PUBLICITY, _("Hồ sơ đồng bộ lên Cổng DVC quốc gia"), 6),
    # Progress, 20 points on the on-time rate (secondary source).
    Spec(
        "2.1",
        PROGRESS,
        _(
            "Hồ sơ giải quyết trước và đúng hạn (trừ thời gian bổ sung; "
            "bổ sung quá 1 lần là trễ hạn)"
        ),
        20,
        confirmed=True,
    ),
    Spec("2.2", PROGRESS, _("Thời gian giải quyết trung bình (ngày)"), 0, unsupported=NOT_SCORED),
    # Online service, 12 points; split unconfirmed. Thresholds of 3.1, 3.3 from the formulas.
    Spec("3.1", ONLINE, _("TTHC cung cấp dịch vụ công trực tuyến"), 4, 80),
    Spec("3.2", ONLINE, _("Dịch vụ công trực tuyến có phát sinh hồ sơ"), 4),
    Spec("3.3", ONLINE, _("Hồ sơ nộp trực tuyến"), 4, 50),
    # Online payment, 10 points; split unconfirmed. Threshold of 3.5 from the formulas.
    Spec("3.5", PAYMENT, _("TTHC có phí, lệ phí được thanh toán trực tuyến"), 5, 80),
    Spec("3.6", PAYMENT, _("Hồ sơ thanh toán trực tuyến"), 5),
    # Digitisation, 22 points; split unconfirmed. Thresholds of 4.2, 4.3 from the formulas.
    # 4.1: finished dossiers whose result is signed (dossiers.signatures) ÷ finished.
    Spec("4.1", DIGITISATION, _("Hồ sơ có kết quả điện tử (ký số)"), 4),
    Spec("4.2", DIGITISATION, _("Hồ sơ được số hóa (thành phần và kết quả)"), 6, 80),
    Spec(
        "4.3", DIGITISATION, _("Hồ sơ tái sử dụng dữ liệu số hóa"), 4, 80, unsupported=NO_REUSE_DATA
    ),
    Spec(
        "4.4", DIGITISATION, _("Hồ sơ kết nối kho dữ liệu công dân"), 4, unsupported=NO_DATA_STORE
    ),
    # 4.5: dossiers through a VNeID-verified account ÷ received.
    Spec("4.5", DIGITISATION, _("Hồ sơ sử dụng dữ liệu dân cư (tài khoản xác thực VNeID)"), 4),
    # Satisfaction, 18 points; 5.4 = 6 points (secondary source), threshold from the formulas.
    Spec(
        "5.1",
        SATISFACTION,
        _("Phản ánh, kiến nghị được xử lý đúng hạn"),
        4,
        unsupported=NO_FEEDBACK,
    ),
    Spec("5.2", SATISFACTION, _("Phản ánh, kiến nghị được công khai"), 4, unsupported=NO_FEEDBACK),
    Spec(
        "5.3",
        SATISFACTION,
        _("Mức độ hài lòng với việc xử lý phản ánh"),
        4,
        unsupported=NO_FEEDBACK,
    ),
    Spec(
        "5.4",
        SATISFACTION,
        _("Hài lòng trong tiếp nhận, giải quyết: 100% − (tỷ lệ quá hạn + tỷ lệ không hài lòng)"),
        6,
        90,
        confirmed=True,
    ),
)
BY_KEY = {spec.key: spec for spec in SPECS}

# Grades of the overall score out of 100. "From 90: excellent" and "under 50: weak" are from
# the decision as quoted by secondary sources; the cut-offs of good, fair and average are
# UNCONFIRMED (the national portal shows those grades without their limits).
GRADES: tuple[tuple[float, Any, bool], ...] = (
    (90, _("Xuất sắc"), True),
    (80, _("Tốt"), False),
    (70, _("Khá"), False),
    (50, _("Trung bình"), False),
    (0, _("Yếu"), True),
)


@dataclass
class Indicator:
    key: str
    group: str
    label: str
    numerator: int
    denominator: int
    rate_pct: float | None
    threshold_pct: float
    max_points: float
    points: float | None
    reason: str = ""  # why there are no points
    value: float | None = None  # a measure that is not a rate (2.2: days)
    confirmed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Scorecard:
    unit_code: str
    unit_name: str
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def points(self) -> float:
        return round(sum(i.points for i in self.indicators if i.points is not None), 2)

    @property
    def max_points(self) -> float:
        return sum(i.max_points for i in self.indicators if i.points is not None)

    @property
    def score(self) -> float | None:
        """Out of 100."""
        if not self.max_points:
            return None
        return round(self.points * 100 / self.max_points, 1)

    @property
    def grade(self) -> str:
        if self.score is None:
            return "—"
        return str(next(label for floor, label, _c in GRADES if self.score >= floor))

    @property
    def grade_confirmed(self) -> bool:
        if self.score is None:
            return False
        return next(c for floor, _label, c in GRADES if self.score >= floor)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "indicators": [i.as_dict() for i in self.indicators],
            "points": self.points,
            "max_points": self.max_points,
            "score": self.score,
            "grade": self.grade,
            "grade_confirmed": self.grade_confirmed,
        }


def indicator_points(spec: Spec, rate: float | None) -> float | None:
    """The threshold rule: full points at or above the threshold, else pro rata."""
    if rate is None:
        return None
    if rate >= spec.threshold_pct:
        return float(spec.max_points)
    return round(rate * spec.max_points / spec.threshold_pct, 2)


@lru_cache(maxsize=256)
def _texts(key: str, language: str | None) -> tuple[str, str, str, str]:
    """An indicator's group, label, reason for no data and reason for no base, translated
    once per language (a report of a hundred units makes thousands of indicators)."""
    spec = BY_KEY[key]
    unsupported = str(spec.unsupported) if spec.unsupported is not None else ""
    return str(spec.group), str(spec.label), unsupported, str(EMPTY_BASE)


def indicator_make(
    spec: Spec, numerator: int = 0, denominator: int = 0, *, unavailable: Any = None
) -> Indicator:
    """The indicator for these counts; N/A with its reason when unsupported, `unavailable`
    (the reason its data is missing here) or empty."""
    group, label, unsupported, empty = _texts(spec.key, get_language())
    if unavailable is not None:
        unsupported = str(unavailable)
    base = {
        "key": spec.key,
        "group": group,
        "label": label,
        "threshold_pct": spec.threshold_pct,
        "max_points": spec.max_points,
        "confirmed": spec.confirmed,
    }
    if spec.unsupported is not None or unavailable is not None:
        return Indicator(
            **base,
            numerator=numerator,
            denominator=denominator,
            rate_pct=None,
            points=None,
            reason=unsupported,
        )
    numerator = max(0, numerator)
    rate = rate_pct(numerator, denominator)
    return Indicator(
        **base,
        numerator=numerator,
        denominator=denominator,
        rate_pct=rate,
        points=indicator_points(spec, rate),
        reason="" if rate is not None else empty,
    )


def scorecard_from_counts(
    *,
    code: str,
    name: str,
    counts: dict[str, Any],
    procedures: dict[int, ProcedureFacts],
    national_sync: bool = False,
) -> Scorecard:
    n = counts
    procs = list(procedures.values())
    online = [p for p in procs if p.online]
    with_fee = [p for p in procs if p.with_fee]
    handled = n["handled"]
    satisfied = handled - n["overdue"] - n["disliked"]
    average = indicator_make(BY_KEY["2.2"], 0, n["finished"])
    average.value = average_days(n["handling_time"], n["finished"])
    card = Scorecard(code, name)
    card.indicators = [
        indicator_make(BY_KEY["1.1"]),
        indicator_make(BY_KEY["1.2"]),
        indicator_make(BY_KEY["1.3"], sum(p.complete for p in procs), len(procs)),
        indicator_make(
            BY_KEY["1.4"],
            n["synchronised"],
            n["received"],
            unavailable=None if national_sync else NO_NATIONAL_SYNC,
        ),
        indicator_make(BY_KEY["2.1"], handled - n["late_or_multi"], handled),
        average,
        indicator_make(BY_KEY["3.1"], len(online), len(procs)),
        indicator_make(
            BY_KEY["3.2"], sum(p.code in n["online_codes"] for p in online), len(online)
        ),
        indicator_make(BY_KEY["3.3"], n["received_online"], n["received"]),
        indicator_make(BY_KEY["3.5"], sum(p.pay_online for p in with_fee), len(with_fee)),
        indicator_make(BY_KEY["3.6"], n["paid_online"], n["with_fee"]),
        indicator_make(BY_KEY["4.1"], n["with_result_file"], n["finished"]),
        indicator_make(BY_KEY["4.2"], n["digitised"], n["finished"]),
        indicator_make(BY_KEY["4.3"]),
        indicator_make(BY_KEY["4.4"]),
        indicator_make(BY_KEY["4.5"], n["vneid"], n["received"]),
        indicator_make(BY_KEY["5.1"]),
        indicator_make(BY_KEY["5.2"]),
        indicator_make(BY_KEY["5.3"]),
        indicator_make(BY_KEY["5.4"], satisfied, handled),
    ]
    return card


def _add(into: dict[str, Any], item: dict[str, Any]) -> None:
    for key in COUNT_KEYS:
        into[key] += item[key]
    if item["handling_time"] is not None:
        into["handling_time"] = (
            item["handling_time"]
            if into["handling_time"] is None
            else into["handling_time"] + item["handling_time"]
        )
    into["online_codes"] |= item["online_codes"]


def _blank() -> dict[str, Any]:
    return {**dict.fromkeys(COUNT_KEYS, 0), "handling_time": None, "online_codes": set()}


@without_jit
def indicators_compute(
    *,
    period: Period,
    units: list[Unit],
    scope: set[int],
    now: datetime | None = None,
    role: str = RECEIVING,
) -> tuple[list[Scorecard], Scorecard]:
    """Decision 766 scorecards: one per unit (with the units below it) and one for them all.

    Steps: count, per receiving (or handling: `role`) unit, the dossiers the period handled
    (finished in it or in progress at its reference time: overdue, with several supplement
    requests, disliked, digitised, with a fee, paid online) in one aggregate query over the
    dossier facts, and
    the received ones from the summary rows; add them up per row; read the procedures in
    force of each row's units; score.
    """
    now = now or timezone.now()
    national_sync = national_sync_on()
    mapping = unit_tree_map(units=units, scope=scope)
    counts = counts_by_unit(
        period=period, unit_ids=set(mapping), now=now, unit_field=UNIT_FIELDS[role]
    )
    procedures = procedures_by_unit(period=period, unit_ids=set(mapping))
    rows = [_blank() for _u in units]
    row_procedures: list[dict[int, ProcedureFacts]] = [{} for _u in units]
    total, total_procedures = _blank(), {}
    for unit_id, indexes in mapping.items():
        for index in indexes:
            if unit_id in counts:
                _add(rows[index], counts[unit_id])
            row_procedures[index].update(procedures.get(unit_id, {}))
        if unit_id in counts:
            _add(total, counts[unit_id])
        total_procedures.update(procedures.get(unit_id, {}))
    cards = [
        scorecard_from_counts(
            code=unit.code,
            name=unit.name,
            counts=row,
            procedures=procs,
            national_sync=national_sync,
        )
        for unit, row, procs in zip(units, rows, row_procedures, strict=True)
    ]
    overall = scorecard_from_counts(
        code="",
        name=str(_("Tổng hợp")),
        counts=total,
        procedures=total_procedures,
        national_sync=national_sync,
    )
    return cards, overall

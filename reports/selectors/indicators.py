"""Decision 766/QĐ-TTg (2022) service-quality indicators, from the dossiers.

Each indicator has a numerator, a denominator, a rate, a threshold (the rate that earns full
points) and points = max × min(1, rate ÷ threshold). The weights and thresholds below follow
DOMAIN.md §8; those marked unconfirmed are data to adjust, not rules buried in code. An
indicator without a base (no dossier finished, no fee charged...) scores nothing and is left
out of the maximum: the overall score is given out of the points that could be earned, and
scaled to 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from dossiers.models import DossierFile, SupplementRequest
from payments.selectors import payment_paid_online_exists
from procedures.models import Channel, Procedure, Unit
from procedures.selectors import in_force
from reports.access import unit_tree_map
from reports.models import DossierFact
from reports.selectors.periods import Period
from reports.selectors.sums import period_sums, rate_pct, without_jit


@dataclass(frozen=True)
class Spec:
    key: str
    group: Any
    label: Any
    max_points: int
    threshold_pct: float


SPECS: tuple[Spec, ...] = (
    Spec(
        "publicity",
        _("Công khai, minh bạch"),
        _("Thủ tục công khai đủ thành phần hồ sơ và căn cứ pháp lý"),
        18,
        100,
    ),
    Spec(
        "progress",
        _("Tiến độ giải quyết"),
        _("Hồ sơ giải quyết đúng hạn (bổ sung quá 1 lần tính là trễ hạn)"),
        20,
        100,
    ),
    Spec(
        "online",
        _("Cung cấp dịch vụ trực tuyến"),
        _("Hồ sơ nộp trực tuyến trên tổng hồ sơ tiếp nhận"),
        12,
        50,
    ),
    # Weight and threshold unconfirmed.
    Spec(
        "online_payment",
        _("Cung cấp dịch vụ trực tuyến"),
        _("Hồ sơ thanh toán trực tuyến trên hồ sơ có phí, lệ phí"),
        10,
        50,
    ),
    Spec(
        "satisfaction",
        _("Mức độ hài lòng"),
        _("100% − (tỷ lệ trễ hạn + tỷ lệ không hài lòng)"),
        18,
        90,
    ),
    Spec(
        "digitisation",
        _("Số hóa hồ sơ"),
        _("Hồ sơ có thành phần số hóa và kết quả điện tử"),
        22,
        80,
    ),
)
# Grade bands of the overall score out of 100: 90–100 excellent and under 50 weak are from
# the decision; the middle bands are unconfirmed.
GRADES: tuple[tuple[float, Any], ...] = (
    (90, _("Xuất sắc")),
    (70, _("Tốt")),
    (50, _("Trung bình")),
    (0, _("Yếu")),
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
    max_points: int
    points: float | None

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
    def max_points(self) -> int:
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
        return str(next(label for floor, label in GRADES if self.score >= floor))

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "indicators": [i.as_dict() for i in self.indicators],
            "points": self.points,
            "max_points": self.max_points,
            "score": self.score,
            "grade": self.grade,
        }


def indicator_make(spec: Spec, numerator: int, denominator: int) -> Indicator:
    rate = rate_pct(max(0, numerator), denominator)
    points = None
    if rate is not None:
        points = round(spec.max_points * min(1.0, rate / spec.threshold_pct), 2)
    return Indicator(
        spec.key,
        str(spec.group),
        str(spec.label),
        max(0, numerator),
        denominator,
        rate,
        spec.threshold_pct,
        spec.max_points,
        points,
    )


COUNT_KEYS = (
    "finished",
    "late",
    "multi_supplement",
    "late_or_multi",
    "digitised",
    "with_fee",
    "paid_online",
    "disliked",
    "received",
    "received_online",
)


def _counts_by_unit(*, period: Period, unit_ids: set[int]) -> dict[int, dict[str, int]]:
    """Per receiving unit, in a few aggregate queries: what the indicators count."""
    multi = (
        SupplementRequest.objects.values("dossier_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("dossier_id")
    )
    scanned = DossierFile.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        kind__in=[DossierFile.Kind.SUBMISSION, DossierFile.Kind.SUPPLEMENT],
    )
    result = DossierFile.objects.filter(
        dossier_id=OuterRef("dossier_id"), kind=DossierFile.Kind.RESULT
    )
    paid = payment_paid_online_exists()  # paid online and not refunded (issue 7)
    late = Q(finish=DossierFact.Finish.LATE)
    aggregates: dict[str, Any] = {
        "finished": Count("pk"),
        "late": Count("pk", filter=late),
        "multi_supplement": Count("pk", filter=Q(dossier_id__in=multi)),
        "late_or_multi": Count("pk", filter=late | Q(dossier_id__in=multi)),
        "digitised": Count("pk", filter=Q(Exists(scanned)) & Q(Exists(result))),
        # The fee and the chosen payment method are on the fact: no join to the dossiers.
        "with_fee": Count("pk", filter=Q(with_fee=True)),
        "paid_online": Count("pk", filter=Q(with_fee=True) & (Q(online_payment=True) | Q(paid))),
    }
    try:
        from citizens.models import Rating

        disliked = Rating.objects.filter(dossier_id=OuterRef("dossier_id"), score__lte=2)
        aggregates["disliked"] = Count("pk", filter=Q(Exists(disliked)))
    except ImportError:  # pragma: no cover - the citizens app is part of the project
        pass
    counts: dict[int, dict[str, int]] = {}
    rows = (
        DossierFact.objects.filter(
            unit_id__in=unit_ids, finished_day__gte=period.start, finished_day__lte=period.end
        )
        # "n_" names: an annotation must not shadow a field (with_fee) its filters read.
        .values("unit_id")
        .annotate(**{f"n_{k}": v for k, v in aggregates.items()})
        .order_by()
    )
    for row in rows:
        counts[row["unit_id"]] = {k: int(row.get(f"n_{k}") or 0) for k in COUNT_KEYS}
    for item in period_sums(
        period=period, unit_ids=unit_ids, group=("unit_id", "channel"), counters=("received",)
    ):
        target = counts.setdefault(item["unit_id"], dict.fromkeys(COUNT_KEYS, 0))
        target["received"] += item["received"]
        if item["channel"] == Channel.ONLINE:
            target["received_online"] += item["received"]
    return counts


def _procedures_by_unit(*, period: Period, unit_ids: set[int]) -> dict[int, dict[int, bool]]:
    """Receiving unit → {procedure in force it handles: published with its document list and
    legal basis}, in one query."""
    rows = (
        Procedure.objects.filter(in_force(on=period.end), units__in=unit_ids)
        .annotate(docs=Count("documents", distinct=True))
        .values_list("units", "pk", "legal_basis", "docs")
    )
    result: dict[int, dict[int, bool]] = {}
    for unit_id, pk, legal_basis, docs in rows:
        result.setdefault(unit_id, {})[pk] = bool(legal_basis) and docs > 0
    return result


def _publicity(procedures: dict[int, dict[int, bool]], unit_ids: set[int]) -> tuple[int, int]:
    """Procedures handled by these units, and those published in full."""
    merged: dict[int, bool] = {}
    for unit_id in unit_ids:
        merged.update(procedures.get(unit_id, {}))
    return sum(merged.values()), len(merged)


def scorecard_from_counts(
    *, code: str, name: str, counts: dict[str, int], publicity: tuple[int, int]
) -> Scorecard:
    n = counts
    by_key = {s.key: s for s in SPECS}
    finished = n["finished"]
    satisfied = finished - n["late"] - n["disliked"]
    card = Scorecard(code, name)
    card.indicators = [
        indicator_make(by_key["publicity"], *publicity),
        indicator_make(by_key["progress"], finished - n["late_or_multi"], finished),
        indicator_make(by_key["online"], n["received_online"], n["received"]),
        indicator_make(by_key["online_payment"], n["paid_online"], n["with_fee"]),
        indicator_make(by_key["satisfaction"], satisfied, finished),
        indicator_make(by_key["digitisation"], n["digitised"], finished),
    ]
    return card


@without_jit
def indicators_compute(
    *, period: Period, units: list[Unit], scope: set[int]
) -> tuple[list[Scorecard], Scorecard]:
    """Decision 766 scorecards: one per unit (with the units below it) and one for them all.

    Steps: count, per receiving unit, the finished dossiers of the period (late, with more
    than one supplement request, digitised, with a fee, paid online, disliked) in one
    aggregate query over the dossier facts, and the received ones from the summary rows;
    add the counts up per row; count the procedures published; score.
    """
    mapping = unit_tree_map(units=units, scope=scope)
    counts = _counts_by_unit(period=period, unit_ids=set(mapping))
    rows: list[dict[str, int]] = [dict.fromkeys(COUNT_KEYS, 0) for _u in units]
    for unit_id, item in counts.items():
        for index in mapping.get(unit_id, []):
            for key, value in item.items():
                rows[index][key] += value
    trees: list[set[int]] = [set() for _u in units]
    for pk, indexes in mapping.items():
        for index in indexes:
            trees[index].add(pk)
    procedures = _procedures_by_unit(period=period, unit_ids=set(mapping))
    cards = []
    for unit, row, tree in zip(units, rows, trees, strict=True):
        cards.append(
            scorecard_from_counts(
                code=unit.code, name=unit.name, counts=row, publicity=_publicity(procedures, tree)
            )
        )
    total = {k: sum(r[k] for r in rows) for k in COUNT_KEYS}
    overall = scorecard_from_counts(
        code="",
        name=str(_("Tổng hợp")),
        counts=total,
        publicity=_publicity(procedures, set(mapping)),
    )
    return cards, overall

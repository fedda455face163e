"""Each report as a file: its name and how each format is built (CSV and XLSX by
reports.exports, PDF by reports.printing), for its page, its API endpoint and its export job.
Only the format asked for is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports.exports import (
    appendix_csv,
    appendix_xlsx,
    evaluation_xlsx,
    ii06a_csv,
    ii06a_xlsx,
    indicators_xlsx,
)
from reports.printing import appendix_pdf, evaluation_pdf, ii06a_pdf, indicators_pdf
from reports.selectors.appendix import Appendix
from reports.selectors.evaluation import CRITERIA, UnitEvaluation
from reports.selectors.ii06a import II06a
from reports.selectors.indicators import Scorecard
from reports.selectors.periods import Period

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ReportFiles:
    stem: str  # the file name without its extension
    builders: dict[str, Callable[[], bytes]]  # extension → the file's content

    def disposition(self, extension: str) -> str:
        """The Content-Disposition of the file: a PDF opens in the browser, others download."""
        how = "inline" if extension == "pdf" else "attachment"
        return f'{how}; filename="{self.stem}.{extension}"'


def file_stem(name: str, period: Period) -> str:
    return f"{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def appendix_files(appendix: Appendix, *, scope: set[int], user: Any, role: str) -> ReportFiles:
    return ReportFiles(
        file_stem("phu-luc", appendix.period),
        {
            "csv": lambda: appendix_csv(appendix),
            "xlsx": lambda: appendix_xlsx(appendix),
            "pdf": lambda: appendix_pdf(appendix, scope=scope, user=user, role=role),
        },
    )


def ii06a_files(report: II06a, *, scope: set[int], user: Any, role: str) -> ReportFiles:
    return ReportFiles(
        file_stem("bieu-ii06a", report.period),
        {
            "csv": lambda: ii06a_csv(report),
            "xlsx": lambda: ii06a_xlsx(report),
            "pdf": lambda: ii06a_pdf(report, scope=scope, user=user, role=role),
        },
    )


def indicators_files(
    *,
    period: Period,
    cards: list[Scorecard],
    overall: Scorecard,
    scope: set[int],
    user: Any,
    role: str,
) -> ReportFiles:
    return ReportFiles(
        file_stem("chi-so-766", period),
        {
            "xlsx": lambda: indicators_xlsx(period=period, cards=cards, overall=overall),
            "pdf": lambda: indicators_pdf(
                period=period, cards=cards, overall=overall, scope=scope, user=user, role=role
            ),
        },
    )


def evaluation_files(
    *, period: Period, evaluations: list[UnitEvaluation], scope: set[int], user: Any, role: str
) -> ReportFiles:
    return ReportFiles(
        file_stem("danh-gia", period),
        {
            "xlsx": lambda: evaluation_xlsx(
                period=period, criteria=CRITERIA, evaluations=evaluations
            ),
            "pdf": lambda: evaluation_pdf(
                period=period, evaluations=evaluations, scope=scope, user=user, role=role
            ),
        },
    )

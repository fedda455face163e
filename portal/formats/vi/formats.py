"""Dates as Vietnamese write them: day first (12/10/2026 is 12 October 2026).

Django's Vietnamese locale sets no input formats, so its global ones applied, month first
(%m/%d/%Y): a typed 12/10/2026 became 10 December. ISO stays first: a DateInput renders its
value with the first format, and the pages' <input type="date"> only take ISO values.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-10-12 (ISO; what <input type=date> sends)
    "%d/%m/%Y",  # 12/10/2026, also 1/2/2026
    "%d-%m-%Y",  # 12-10-2026 (Django's Vietnamese short date format shows dates so)
    "%d.%m.%Y",  # 12.10.2026
    "%d/%m/%y",  # 12/10/26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d/%m/%y %H:%M",
    "%H:%M %d/%m/%Y",  # 08:30 12/10/2026, time first as the short datetime format shows it
    "%H:%M %d-%m-%Y",
]

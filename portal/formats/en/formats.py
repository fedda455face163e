"""The English UI reads numeric dates day first too: those who choose English are still
officials in Vietnam writing Vietnamese dates, and a month-first reading would turn 12/10/2026
into 10 December without a word. Dates with the month in words stay accepted (unambiguous)."""

from portal.formats.vi.formats import DATE_INPUT_FORMATS as _VI_DATES
from portal.formats.vi.formats import DATETIME_INPUT_FORMATS as _VI_DATETIMES

DATE_INPUT_FORMATS = [
    *_VI_DATES,
    "%d %b %Y",  # 12 Oct 2026
    "%d %B %Y",  # 12 October 2026
    "%b %d %Y",  # Oct 12 2026
    "%b %d, %Y",  # Oct 12, 2026
    "%B %d %Y",  # October 12 2026
    "%B %d, %Y",  # October 12, 2026
]
DATETIME_INPUT_FORMATS = list(_VI_DATETIMES)

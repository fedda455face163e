"""Hypothesis-fuzzed validators: properties that hold for every input, not examples.

Phone normalisation, personal ID and tax codes, upload file names, dossier codes, the deadline
clock on aware datetimes of any time zone, and the legacy import's row parser.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from citizens.forms import id_number_clean
from dossiers.models import Dossier
from dossiers.uploads import MAX_NAME_LENGTH, upload_clean_name
from notifications.phone import phone_display, phone_normalise
from procedures import clock

E164 = re.compile(r"^\+84[35789]\d{8}$")
FAST = settings(max_examples=200, deadline=None)

# --- Phone numbers --------------------------------------------------------------------------

national = st.from_regex(r"[35789][0-9]{8}", fullmatch=True)
separator = st.sampled_from(["", " ", ".", "-", "  "])


@FAST
@given(st.text())
def test_a_phone_is_either_refused_or_a_vietnamese_mobile_in_e164(raw):
    try:
        result = phone_normalise(raw)
    except ValidationError:
        return
    assert E164.match(result), (raw, result)
    assert phone_normalise(result) == result  # idempotent
    assert phone_normalise(phone_display(result)) == result  # what pages show reads back


@FAST
@given(national, st.sampled_from(["0", "+84", "84", "0084", "+84 "]), separator, separator)
def test_every_usual_way_of_typing_a_mobile_gives_the_same_number(digits, prefix, sep1, sep2):
    typed = f"{prefix}{digits[:2]}{sep1}{digits[2:5]}{sep2}{digits[5:]}"
    assert phone_normalise(typed) == f"+84{digits}"


@FAST
@given(st.from_regex(r"0[0-9]{9}", fullmatch=True))
def test_landlines_and_old_prefixes_are_refused(number):
    assume(number[1] not in "35789")
    with pytest.raises(ValidationError):
        phone_normalise(number)


# --- ID numbers -----------------------------------------------------------------------------


@FAST
@given(st.text())
def test_a_personal_id_is_refused_or_twelve_digits(raw):
    try:
        result = id_number_clean(raw)
    except ValidationError:
        return
    assert re.fullmatch(r"\d{12}", result)
    assert result != "0" * 12
    assert id_number_clean(result) == result


@FAST
@given(st.from_regex(r"[0-9]{12}", fullmatch=True), separator)
def test_a_personal_id_survives_spaces(digits, sep):
    assume(digits != "0" * 12)
    assert id_number_clean(f" {digits[:4]}{sep}{digits[4:8]}{sep}{digits[8:]} ") == digits


@FAST
@given(st.text())
def test_a_tax_code_is_refused_or_ten_digits_with_an_optional_branch(raw):
    try:
        result = id_number_clean(raw, kind=Dossier.ApplicantKind.ORGANISATION)
    except ValidationError:
        return
    assert re.fullmatch(r"\d{10}(-\d{3})?", result)


# --- Upload file names ----------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
def test_a_file_name_is_refused_when_it_has_a_path_else_cleaned_safely(raw):
    try:
        name = upload_clean_name(raw)
    except ValidationError:
        assert "/" in raw or "\\" in raw or "\x00" in raw or raw.strip() in {".", ".."}
        return
    assert "/" not in name
    assert "\\" not in name
    assert name
    assert not name.startswith((".", " "))
    assert not any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} for ch in name
    )
    assert unicodedata.is_normalized("NFC", name)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    assert len(stem) <= MAX_NAME_LENGTH
    assert upload_clean_name(name) == name  # cleaning twice changes nothing


@FAST
@given(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=60),
    st.sampled_from([".pdf", ".docx", ".jpg", ".zip"]),
)
def test_an_ordinary_name_keeps_its_extension(stem, ext):
    name = upload_clean_name(stem + ext)
    assert name.endswith(ext)


# --- The deadline clock on aware datetimes --------------------------------------------------

CALENDAR = clock.WorkCalendar()
aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.one_of(
        st.timezones(),
        st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-14 * 60 + 1, 14 * 60 - 1)),
    ),
)
limits = st.one_of(
    st.just(clock.TimeLimit(same_day=True)),
    st.builds(
        lambda half_days: clock.TimeLimit(working_days=Decimal(half_days) / 2), st.integers(1, 60)
    ),
)


@settings(max_examples=120, deadline=None)
@given(aware, limits)
def test_due_times_never_crash_and_fall_in_office_hours_after_reception(received, limit):
    due = clock.due_at(received, limit, calendar=CALENDAR)
    assert due.tzinfo is not None
    assert due > received
    local = due.astimezone(clock.VN_TZ)
    assert CALENDAR.is_working_day(local.date())
    assert clock.time(7, 0) < local.time() <= clock.time(11, 30) or clock.time(
        13, 30
    ) < local.time() <= clock.time(17, 0)
    assert not clock.is_late(due, at=due)


@settings(max_examples=120, deadline=None)
@given(aware, st.integers(0, 60 * 8 * 30))
def test_adding_working_minutes_is_measured_back_exactly(start, minutes):
    begin = clock.clock_start(start, calendar=CALENDAR)
    end = clock.add_working_minutes(begin, minutes, calendar=CALENDAR)
    assert end >= begin
    assert clock.working_minutes_between(begin, end, calendar=CALENDAR) == minutes


@settings(max_examples=120, deadline=None)
@given(aware, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_pauses_and_flags_never_crash(paused, pause):
    resumed = paused + pause
    due = clock.add_working_minutes(
        clock.clock_start(paused, calendar=CALENDAR), 480, calendar=CALENDAR
    )
    moved = clock.resume_due_at(due, paused_at=paused, resumed_at=resumed, calendar=CALENDAR)
    assert moved >= due
    assert isinstance(clock.is_due_soon(due, at=resumed, calendar=CALENDAR), bool)


@FAST
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)))
def test_the_clock_refuses_naive_datetimes_clearly(naive):
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.clock_start(naive, calendar=CALENDAR)


# --- Dossier codes --------------------------------------------------------------------------

CODE = re.compile(r"^(?P<e_id>[0-9A-Z]+(\.[0-9A-Z]+)*)-(?P<day>\d{6})-(?P<seq>\d{4,})$")


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moment=st.datetimes(
        min_value=datetime(2001, 1, 1), max_value=datetime(2089, 1, 1), timezones=st.timezones()
    )
)
def test_dossier_codes_follow_the_format_and_the_local_day(commune, moment):
    from django.utils import timezone as dj_timezone

    from dossiers.services.codes import dossier_code_next

    first = dossier_code_next(unit=commune, at=moment)
    second = dossier_code_next(unit=commune, at=moment)
    for code in (first, second):
        match = CODE.match(code)
        assert match, code
        assert match["e_id"] == commune.e_id
        assert match["day"] == f"{dj_timezone.localtime(moment).date():%y%m%d}"
    assert int(CODE.match(second)["seq"]) == int(CODE.match(first)["seq"]) + 1


# --- The import's row parser ----------------------------------------------------------------

from dossiers.services import importing  # noqa: E402

columns = st.sampled_from(importing.COLUMNS)
cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "2026-11-25",
            "2026-11-25 09:30",
            "2026-02-30",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+14:00",
            "received",
            "returned",
            "online",
            "counter",
            "1.001193",
            "03601",
            "+25:00",
            "2026-11-25T09:30:00+07:00",
            "T",
            "24:00",
        ]
    ),
)
rows = st.dictionaries(columns, cell)


@pytest.mark.django_db
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=rows)
@example(raw={"procedure_code": "\x00"})  # PostgreSQL text cannot hold NUL (found by CI)
def test_the_row_parser_reports_errors_and_never_crashes(commune, birth_registration, raw):
    units = {commune.code: commune}
    row, errors = importing._validate(7, raw, set(), units)
    assert (row is None) == bool(errors)
    assert all(e.startswith("line 7: ") for e in errors)
    if row is not None:
        assert row.code == raw["code"].strip()
        for moment in (row.received_at, row.due_at, row.resolved_at, row.returned_at):
            assert moment is None or moment.tzinfo is not None


def test_utc_is_aware():  # the strategies above rely on it
    assert datetime(2026, 1, 1, tzinfo=UTC).utcoffset() == timedelta(0)

"""Names and addresses are one visible line, on every page and through the API; a request
Django refuses to read is a JSON 400 on the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portal.validators import validate_single_line

pytestmark = pytest.mark.django_db

SNEAKY = [
    "Nguyễn Văn An\nMã tra cứu: ABCD1234",
    "Nguyễn Văn An\r\nMã tra cứu",
    "Nguyễn \u202eAn Văn",  # right-to-left override
    "Nguyễn \u2066An\u2069",  # isolate
    "Nguyễn\u200bVăn",  # zero-width space
    "Nguyễn\u2028Văn",  # line separator
    "Nguyễn\tVăn",
]


@pytest.mark.parametrize("value", SNEAKY)
def test_the_validator_refuses_invisible_and_control_characters(value):
    with pytest.raises(ValidationError):
        validate_single_line(value)


@pytest.mark.parametrize(
    "value", ["Nguyễn Văn An", "Lò Thị Ỏn", "Công ty TNHH Đ&Đ", "Hà-Nội (số 2)"]
)
def test_the_validator_keeps_ordinary_names(value):
    validate_single_line(value)
    validate_single_line(value.encode().decode())  # NFC as typed
    import unicodedata

    validate_single_line(unicodedata.normalize("NFD", value))  # combining marks stay allowed

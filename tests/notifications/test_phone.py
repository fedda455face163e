import pytest
from django.core.exceptions import ValidationError

from notifications.phone import phone_display, phone_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("(091) 234-5678", "+84912345678"),
        (" 0336 123 456 ", "+84336123456"),
        ("0561234567", "+84561234567"),
        ("0701234567", "+84701234567"),
        ("0861234567", "+84861234567"),
    ],
)
def test_it_normalises_vietnamese_mobiles_to_e164(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "091234567",  # one digit short
        "09123456789",  # one digit too many
        "02133876543",  # a landline (Lai Châu): no SMS
        "0112345678",
        "0412345678",
        "0612345678",  # not mobile prefixes
        "+1 202 555 0143",
        "+8491234567",
        "84 0912345678",
        "912345678",
    ],
)
def test_it_refuses_what_is_not_a_vietnamese_mobile(raw):
    with pytest.raises(ValidationError) as info:
        phone_normalise(raw)
    assert info.value.code == "invalid_phone"
    assert "Số điện thoại di động không hợp lệ" in info.value.messages[0]


def test_it_displays_numbers_the_national_way():
    assert phone_display("+84912345678") == "0912 345 678"

import pytest

from notifications.sms_text import sms_size, strip_diacritics


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "gsm7", 0, 1),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # the extension table costs two septets each
        ("€" * 81, "gsm7", 162, 2),
        ("Hồ sơ", "ucs2", 5, 1),
        ("ồ" * 70, "ucs2", 70, 1),
        ("ồ" * 71, "ucs2", 71, 2),
        ("ồ" * 134, "ucs2", 134, 2),
        ("ồ" * 135, "ucs2", 135, 3),
        ("😀" * 35, "ucs2", 70, 1),  # outside the BMP: a surrogate pair, two units
    ],
)
def test_it_counts_segments_like_an_operator(text, encoding, units, segments):
    size = sms_size(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


def test_an_escape_is_never_split_across_parts():
    # 152 septets then "€" (2): 154 > 153, so the escape moves to the second part.
    assert sms_size("a" * 152 + "€" + "a" * 152).segments == 3
    assert sms_size("a" * 151 + "€" + "a" * 153).segments == 2


def test_a_surrogate_pair_is_never_split_across_parts():
    assert sms_size("ồ" * 66 + "😀" + "ồ" * 66).segments == 3
    assert sms_size("ồ" * 65 + "😀" + "ồ" * 67).segments == 2


def test_gsm_accented_letters_stay_gsm7_but_vietnamese_does_not():
    assert sms_size("café à Zürich").encoding == "gsm7"
    assert sms_size("Đã tiếp nhận").encoding == "ucs2"


def test_it_strips_vietnamese_diacritics_keeping_case():
    text = "Hồ sơ ĐÃ được tiếp nhận. Hẹn trả: 17:00 “thứ Năm” – Ước Ửng Ỹ"
    plain = strip_diacritics(text)
    assert plain == 'Ho so DA duoc tiep nhan. Hen tra: 17:00 "thu Nam" - Uoc Ung Y'
    assert sms_size(plain).encoding == "gsm7"

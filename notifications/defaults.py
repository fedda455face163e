"""The default Vietnamese texts of every message (seeded into SmsTemplate, editable there).

Texts keep their diacritics: e-mails always do, and SMS drop them only when
settings.SMS_STRIP_DIACRITICS is on (one UCS-2 SMS holds 70 characters, a GSM-7 one 160).

Variables available in every template:
  code, key (the update key, where one is sent), unit (receiving unit), unit_address,
  unit_phone, procedure, applicant, site_url, lookup_url (the look-up with the code filled
  in), due (hẹn trả, e.g. "17:00 27/10/2023"),
  delivery ("counter" | "post" | "electronic"), delivery_address.
Per message: supplement → items, reason; payment → amount ("1.200.000"); resolved → outcome
("approved" | "denied"); returned → method, tracking_number; apology → reason, new_due;
refused, stopped → reason.
"""

from __future__ import annotations

from notifications.models import TemplateName

T = TemplateName

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    # name: (SMS and e-mail body, e-mail subject)
    T.SUBMITTED: (
        "Hồ sơ {{ code }} đã nộp tới {{ unit }}. Mã tra cứu: {{ key }}. Xem tại {{ lookup_url }}",
        "Hồ sơ {{ code }} đã được nộp",
    ),
    T.SUBMITTED_RECEIVED: (
        "{{ unit }} đã tiếp nhận hồ sơ {{ code }}. Mã tra cứu: {{ key }}. "
        "Hẹn trả kết quả: {{ due }}.",
        "Hồ sơ {{ code }} đã được tiếp nhận",
    ),
    T.RECEIVED: (
        "Hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả: {{ due }}.",
        "Hồ sơ {{ code }} đã được tiếp nhận",
    ),
    T.SUPPLEMENT: (
        "Hồ sơ {{ code }} cần bổ sung: {{ items }}."
        "{% if reason %} Lý do: {{ reason }}.{% endif %} Bổ sung tại {{ lookup_url }}",
        "Hồ sơ {{ code }} cần bổ sung",
    ),
    T.PAYMENT: (
        "Hồ sơ {{ code }}: đề nghị nộp {{ amount }} đồng phí, lệ phí để tiếp tục giải quyết.",
        "Hồ sơ {{ code }}: đề nghị nộp phí, lệ phí",
    ),
    T.RESOLVED: (
        "Hồ sơ {{ code }} đã có kết quả. "
        "{% if delivery == 'post' %}Kết quả sẽ gửi qua bưu chính tới {{ delivery_address }}."
        "{% elif delivery == 'electronic' %}Nhận bản điện tử tại {{ lookup_url }}"
        "{% else %}Mời nhận tại bộ phận một cửa {{ unit }}"
        "{% if unit_address %}, {{ unit_address }}{% endif %}.{% endif %}",
        "Hồ sơ {{ code }} đã có kết quả",
    ),
    T.RETURNED: (
        "Hồ sơ {{ code }} đã trả kết quả"
        "{% if tracking_number %}, gửi qua bưu chính, mã vận đơn {{ tracking_number }}"
        "{% endif %}. Cảm ơn ông/bà.",
        "Hồ sơ {{ code }} đã trả kết quả",
    ),
    T.APOLOGY: (
        "{{ unit }} xin lỗi vì hồ sơ {{ code }} trễ hẹn. Lý do: {{ reason }}. "
        "Hẹn trả mới: {{ new_due }}.",
        "Thư xin lỗi về hồ sơ {{ code }}",
    ),
    T.REFUSED: (
        "Hồ sơ {{ code }} không được tiếp nhận. Lý do: {{ reason }}.",
        "Hồ sơ {{ code }} không được tiếp nhận",
    ),
    T.STOPPED: (
        "Hồ sơ {{ code }} đã dừng xử lý theo đề nghị rút hồ sơ."
        "{% if reason %} {{ reason }}{% endif %}",
        "Hồ sơ {{ code }} đã dừng xử lý",
    ),
    T.KEY_RESEND: (
        "Mã tra cứu mới của hồ sơ {{ code }}: {{ key }}. Không chia sẻ mã này cho người khác.",
        "Mã tra cứu mới của hồ sơ {{ code }}",
    ),
}

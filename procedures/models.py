"""Units, the procedure catalogue and the working calendar: data with effective dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.text import search_key

E_ID_VALIDATOR = RegexValidator(
    r"^[0-9A-Z]+(\.[0-9A-Z]+)*$",
    _("Mã định danh điện tử gồm các nhóm chữ số/chữ in hoa, phân cách bằng dấu chấm."),
)


class Unit(models.Model):
    """An administrative unit (province, district, commune) or an agency inside one."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện")
        COMMUNE = "commune", _("Xã, phường, thị trấn")
        AGENCY = "agency", _("Cơ quan, đơn vị")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("trực thuộc"),
    )
    # The General Statistics Office's code of the administrative unit (vietnam-provinces).
    stat_code = models.CharField(_("mã thống kê (GSO)"), max_length=10, blank=True)
    e_id = models.CharField(
        _("mã định danh điện tử"),
        max_length=35,
        unique=True,
        null=True,
        blank=True,
        validators=[E_ID_VALIDATOR],
    )
    is_one_stop_desk = models.BooleanField(_("là bộ phận một cửa"), default=False)
    is_reporting_unit = models.BooleanField(_("đơn vị báo cáo"), default=False)
    report_order = models.PositiveIntegerField(_("thứ tự trong báo cáo"), default=0)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    morning_start = models.TimeField(_("giờ làm việc sáng từ"), default=dt.time(7, 0))
    morning_end = models.TimeField(_("giờ làm việc sáng đến"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("giờ làm việc chiều từ"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("giờ làm việc chiều đến"), default=dt.time(17, 0))
    valid_from = models.DateField(_("hiệu lực từ"), default=dt.date(2000, 1, 1))
    # The last day the unit exists; from the next day it accepts nothing (procedures.units).
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # Who takes over a closed unit's open dossiers and is named to the applicant; a unit split
    # between several new ones lists the others in other_successors.
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )
    other_successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="partial_predecessors",
        verbose_name=_("đơn vị kế thừa khác"),
    )

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["report_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="unit_office_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: dt.date) -> bool:
        """Whether the unit exists on `day` (valid_from and valid_to both count)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Field(models.Model):
    """A field of work (lĩnh vực), e.g. Hộ tịch."""

    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """One version of an administrative procedure (TTHC), in force from `effective_from`."""

    class ImplementingLevel(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện")
        COMMUNE = "commune", _("Cấp xã")

    class Level(models.IntegerChoices):
        L1 = 1, _("Mức độ 1")
        L2 = 2, _("Mức độ 2")
        L3 = 3, _("Mức độ 3")
        L4 = 4, _("Mức độ 4")

    class OnlineService(models.TextChoices):
        # Decree 42/2022/NĐ-CP, Art. 11: today's vocabulary, primary since 2022.
        FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
        PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
        INFORMATION = "information", _("Chỉ cung cấp thông tin")

    code = models.CharField(_("mã thủ tục"), max_length=20, db_index=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(editable=False, default="")
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    implementing_level = models.CharField(
        _("cấp thực hiện"), max_length=10, choices=ImplementingLevel.choices
    )
    # Decree 43/2011's levels 1-4, kept for the historical reports (the letter's appendix):
    # derived from online_service when that is given (full 4, partial 3, information 2).
    level = models.PositiveSmallIntegerField(_("mức độ"), choices=Level.choices)
    online_service = models.CharField(
        _("mức độ dịch vụ công trực tuyến"),
        max_length=12,
        choices=OnlineService.choices,
        blank=True,
    )
    applicants = models.CharField(_("đối tượng thực hiện"), max_length=300, blank=True)
    steps = models.JSONField(_("trình tự thực hiện"), default=list, blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.TextField(_("kết quả"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    fee_note = models.TextField(_("phí, lệ phí"), blank=True)
    fee_rule = models.JSONField(_("cách tính phí"), null=True, blank=True)
    postal_allowed = models.BooleanField(_("nhận qua bưu chính"), default=True)
    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    code_unconfirmed = models.BooleanField(_("mã chưa xác minh"), default=False)
    publication_decision = models.CharField(_("quyết định công bố"), max_length=200, blank=True)
    units = models.ManyToManyField(
        Unit, related_name="procedures", blank=True, verbose_name=_("đơn vị giải quyết")
    )
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # Decree 118/2025/NĐ-CP: from this day (until the version ends) any one-stop centre of the
    # province receives the dossier, whatever the applicant's commune; empty: only the
    # competent unit receives it (procedures.receiving).
    boundary_free_from = models.DateField(
        _("tiếp nhận không phụ thuộc địa giới hành chính từ ngày"), null=True, blank=True
    )
    boundary_free_decision = models.CharField(
        _("quyết định công bố danh mục không phụ thuộc địa giới"), max_length=200, blank=True
    )
    popularity = models.PositiveIntegerField(_("mức độ phổ biến"), default=0)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="procedure_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="procedure_level_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        # A derived column, not a rule: the catalogue search (procedures/search.py) reads it.
        self.search_text = search_key(f"{self.code} {self.name}")
        self.online_service, self.level = service_and_level(self.online_service, self.level)
        super().save(*args, **kwargs)

    @property
    def online_level(self) -> str:
        """Decree 42/2022's level: full, partial or information."""
        return service_and_level(self.online_service, self.level)[0]

    def is_boundary_free_on(self, day: dt.date) -> bool:
        """Whether, on `day`, the version is receivable regardless of administrative
        boundaries (from boundary_free_from until the version's own end)."""
        start = self.boundary_free_from
        return (
            start is not None
            and start <= day
            and (self.effective_to is None or day <= self.effective_to)
        )

    @property
    def accepts_online(self) -> bool:
        return self.online_level != self.OnlineService.INFORMATION


def service_and_level(service: str, level: int | None) -> tuple[str, int]:
    """Decree 42/2022's online service (primary) and the matching Decree 43/2011 level: the
    service decides when given (information keeps level 1 or 2), else the level does."""
    s = Procedure.OnlineService
    if service:
        if service == s.FULL:
            return service, 4
        if service == s.PARTIAL:
            return service, 3
        return service, level if level in (1, 2) else 2
    level = level or 2
    return {4: s.FULL, 3: s.PARTIAL}.get(level, s.INFORMATION), level


class SearchSynonym(models.Model):
    """How people say a procedure (`phrase`) and the catalogue's words for it (`means`).

    The catalogue search replaces the phrase in a query with its meaning before matching,
    e.g. "sổ đỏ" -> "giấy chứng nhận quyền sử dụng đất". Administrators keep the list.
    """

    phrase = models.CharField(_("cách nói của người dân"), max_length=200, unique=True)
    means = models.CharField(_("tên trong danh mục thủ tục"), max_length=300)

    class Meta:
        verbose_name = _("từ đồng nghĩa khi tìm thủ tục")
        verbose_name_plural = _("từ đồng nghĩa khi tìm thủ tục")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính công ích")


class ProcedureChannel(models.Model):
    """How a procedure can be submitted, with the time limit and fee for that channel."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("cách thức"), max_length=10, choices=Channel.choices)
    working_days = models.DecimalField(
        _("số ngày làm việc"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    # Some laws count in plain days ("ngày" of the Civil Status, Adoption, Complaints and
    # Construction laws): weekends and holidays included (procedures.clock).
    calendar_days = models.PositiveSmallIntegerField(
        _("số ngày (tính cả ngày nghỉ)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    working_hours = models.DecimalField(
        _("số giờ làm việc"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    same_day = models.BooleanField(_("trong ngày"), default=False)
    fee_vnd = models.PositiveIntegerField(_("phí, lệ phí (đồng)"), default=0)

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "channel"], name="channel_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        same_day=True,
                        working_days__isnull=True,
                        calendar_days__isnull=True,
                        working_hours__isnull=True,
                    )
                    | models.Q(
                        same_day=False,
                        working_days__isnull=False,
                        calendar_days__isnull=True,
                        working_hours__isnull=True,
                    )
                    | models.Q(
                        same_day=False,
                        working_days__isnull=True,
                        calendar_days__isnull=False,
                        working_hours__isnull=True,
                    )
                    | models.Q(
                        same_day=False,
                        working_days__isnull=True,
                        calendar_days__isnull=True,
                        working_hours__isnull=False,
                    )
                ),
                name="channel_one_time_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} {self.channel}"

    @property
    def time_limit(self) -> dict[str, object]:
        """The limit with its unit: {"same_day": true}, {"working_days": N},
        {"calendar_days": N} or {"working_hours": N}."""
        if self.same_day:
            return {"same_day": True}
        if self.calendar_days is not None:
            return {"calendar_days": self.calendar_days}
        if self.working_hours is not None:
            return {"working_hours": _number(self.working_hours)}
        return {"working_days": _number(self.working_days or Decimal(0))}


def _number(value: Decimal) -> float | int:
    return float(value) if value % 1 else int(value)


class ProcedureDocument(models.Model):
    """A document of the procedure's published list (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    required = models.BooleanField(_("bắt buộc"), default=True)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    order = models.PositiveSmallIntegerField(default=0)
    template = models.FileField(_("mẫu đơn, tờ khai"), upload_to="templates/", blank=True)
    template_title = models.CharField(max_length=300, blank=True)
    template_fields = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self) -> str:
        return self.name


class CalendarOverride(models.Model):
    """An administrator's correction of the holiday calendar: a day off or a worked day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    # Empty: the whole country. A province: only the units of that province (a day off or a
    # make-up day the province's People's Committee decided); it wins over a national entry
    # of the same date for those units (procedures.calendar.work_calendar).
    province = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_overrides",
        limit_choices_to={"kind": Unit.Kind.PROVINCE},
        verbose_name=_("chỉ áp dụng cho tỉnh"),
        help_text=_("Để trống nếu áp dụng cho cả nước."),
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    # The government's (or province's) document that decided it, e.g. "Công văn 2450/VPCP-KGVX".
    source = models.CharField(_("văn bản quyết định"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("lịch nghỉ, làm bù")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(province__isnull=True),
                name="calendar_override_national_date_unique",
                violation_error_message=_("Ngày này đã có trong lịch của cả nước."),
            ),
            models.UniqueConstraint(
                fields=["date", "province"],
                name="calendar_override_province_date_unique",
                violation_error_message=_("Ngày này đã có trong lịch của tỉnh."),
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.province})" if self.province_id else ""
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}{where}"

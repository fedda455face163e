"""Our dossier and its events in DVCQG's words (docs/NATIONAL.md §1, §2).

Pure functions: they read the objects and values they are given and touch nothing else
(dvcqg.selectors gathers them). Every value travels as a string; a time is yyyyMMddHHmmss in
Vietnam time, "" when there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation

from dossiers.models import STATUS_CODES, Dossier, DossierEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Dossier.Status

# How the dossier came in: "1" counter, "2" online, "3" post.
CHANNELS = {"counter": "1", "online": "2", "post": "3"}
# LoaiDoiTuong: "1" citizen, "2" business. Our organisations are registered by a tax or
# enterprise code, so they go as businesses; "3" state agency and "4" other organisation are
# not told apart by our records.
APPLICANT_KINDS = {Dossier.ApplicantKind.PERSON: "1", Dossier.ApplicantKind.ORGANISATION: "2"}
# DuocThanhToanTrucTuyen
PAID_UNKNOWN, PAID_DVCQG, PAID_PROVINCE, PAID_NOT_ONLINE = "0", "1", "2", "3"
TRAICH_YEU_MAX = 1000
NGUOI_XU_LY_MAX = 50


def when(value: datetime | None) -> str:
    """yyyyMMddHHmmss in Vietnam time (24-hour clock); "" for no value."""
    if value is None:
        return ""
    return value.astimezone(VN).strftime("%Y%m%d%H%M%S")


def flag(value: bool) -> str:
    return "1" if value else "0"


def truth(value: bool) -> str:
    return "True" if value else "False"


def identity_numbers(number: str) -> list[dict[str, str]]:
    """DinhDanhCHS: "1" a 12-digit personal ID, "2" a 9-digit identity card; else none."""
    number = number.strip()
    if not number.isdigit():
        return []
    kind = {12: "1", 9: "2"}.get(len(number))
    return [{"LoaiDinhDanh": kind, "SoDinhDanh": number}] if kind else []


@dataclass(frozen=True)
class FileItem:
    id: int
    name: str
    url: str  # a link DVCQG can download from (dvcqg.links)
    digitised: bool = True  # a scan or an electronic file, kept in the dossier


@dataclass(frozen=True)
class SupplementItem:
    id: int
    requested_by: str
    content: str
    requested_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class FeeItem:
    name: str
    amount: int
    kind: str = "1"  # "1" fee (phí), "2" charge (lệ phí)
    code: str = ""


@dataclass(frozen=True)
class DossierFacts:
    """What the DongBoHoSoMC record of one dossier is made of."""

    dossier: Dossier
    procedure_code: str
    procedure_name: str
    field_code: str
    field_name: str
    receiving_unit: str
    handling_unit: str
    submitted_files: Sequence[FileItem] = ()
    result_files: Sequence[FileItem] = ()
    supplements: Sequence[SupplementItem] = ()
    fees: Sequence[FeeItem] = ()
    refused_at: datetime | None = None
    stopped_at: datetime | None = None
    payment_channel: str = PAID_UNKNOWN
    extra: dict[str, Any] = field(default_factory=dict)


def end_of_handling(facts: DossierFacts) -> datetime | None:
    """NgayKetThucXuLy: the time of the terminal state - refused, stopped, resolved, or
    returned when there was no resolution step."""
    d = facts.dossier
    if d.status == S.REFUSED:
        return facts.refused_at
    if d.status == S.STOPPED:
        return facts.stopped_at
    if d.status in (S.RESOLVED, S.RETURNED):
        return d.resolved_at or d.returned_at
    return None


def payment_channel_default(dossier: Dossier) -> str:
    """DuocThanhToanTrucTuyen without a payments seam: "3" (not paid online) when nothing is
    owed or the applicant pays at the counter, "0" (unknown) otherwise."""
    if dossier.fee_vnd == 0 or dossier.payment_method in ("", "counter", "cash"):
        return PAID_NOT_ONLINE
    return PAID_UNKNOWN


def dossier_record(facts: DossierFacts) -> dict[str, Any]:
    """One item of DongBoHoSoMC's `data`."""
    d = facts.dossier
    holder = d.organisation_name if d.applicant_kind == "organisation" else d.applicant_name
    summary = f"{facts.procedure_name} - {holder or d.applicant_name}"
    return {
        "MaHoSo": d.code,
        "MaTTHC": facts.procedure_code,
        "TenTTHC": facts.procedure_name,
        "MaLinhVuc": facts.field_code,
        "TenLinhVuc": facts.field_name,
        "ChuHoSo": holder or d.applicant_name,
        "LoaiDoiTuong": APPLICANT_KINDS.get(d.applicant_kind, "1"),
        "MaDoiTuong": d.applicant_tech_id or "",
        "SoGiayToChuHoSo": d.applicant_id_number,
        "DinhDanhCHS": identity_numbers(d.applicant_id_number)
        if d.applicant_kind == Dossier.ApplicantKind.PERSON
        else [],
        "Email": d.applicant_email or "",
        "SoDienThoai": d.applicant_phone or "",
        "TrichYeuHoSo": summary[:TRAICH_YEU_MAX],
        "KenhThucHien": CHANNELS.get(d.channel, "1"),
        "NoiNopHoSo": facts.receiving_unit,
        "NgayNopHoSo": when(d.submitted_at),
        "NgayTiepNhan": when(d.received_at),
        "NgayHenTra": when(d.due_at),
        "NgayTuChoi": when(facts.refused_at) if d.status == S.REFUSED else "",
        "NgayKetThucXuLy": when(end_of_handling(facts)),
        "NgayTra": when(d.returned_at),
        "TrangThaiHoSo": str(STATUS_CODES[d.status]),
        "HinhThuc": "1" if d.delivery == Dossier.Delivery.POST else "0",
        "DonViXuLy": facts.handling_unit,
        "HoSoCoThanhPhanSoHoa": flag(any(f.digitised for f in facts.submitted_files)),
        "TaiKhoanDuocXacThucVoiVNeID": flag(d.applicant_vneid_verified),
        "DuocThanhToanTrucTuyen": facts.payment_channel,
        "TaiLieuNop": [
            {
                "TepDinhKemId": str(f.id),
                "TenTepDinhKem": f.name,
                "MaThanhPhanHoSo": "",
                "DuongDanTaiTepTin": f.url,
                "DuocSoHoa": truth(f.digitised),
                "DuocTaiSuDung": "False",
                "DuocLayTuKhoDMQG": "False",
                "IsDeleted": "False",
            }
            for f in facts.submitted_files
        ],
        "DanhSachGiayToKetQua": [
            {
                "GiayToId": str(f.id),
                "TenGiayTo": f.name,
                "MaThanhPhanHoSo": "",
                "MaGiayToKetQua": "",
                "DuongDanTepTinKetQua": f.url,
            }
            for f in facts.result_files
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": fee.name,
                "MaPhiLePhi": fee.code,
                "HinhThucThu": "",
                "Gia": str(fee.amount),
                "LoaiPhiLePhi": fee.kind,
            }
            for fee in facts.fees
        ],
        "DanhSachHoSoBoSung": [
            {
                "HoSoBoSungId": str(s.id),
                "NguoiYeuCauBoSung": s.requested_by,
                "NoiDungBoSung": s.content,
                "NgayBoSung": when(s.requested_at),
                "NgayTiepNhanBoSung": when(s.answered_at),
                "TrangThaiBoSung": "1" if s.answered_at else "0",
                "NgayHenTraTruoc": "",
                "NgayHenTraMoi": "",
            }
            for s in facts.supplements
        ],
        **facts.extra,
    }


def event_content(event: DossierEvent) -> str:
    """NoiDungXuLy: the officer's note, else what happened in words (in Vietnamese)."""
    if event.note.strip():
        return event.note.strip()
    with translation.override("vi"):
        label = str(S(event.to_status).label) if event.to_status in S.values else ""
        if event.kind == "transition" and event.from_status == event.to_status:
            return f"Chuyển xử lý - {label}"
        return label


def progress_item(
    *,
    code: str,
    event: DossierEvent,
    actor: str,
    title: str,
    department: str,
    due_at: datetime | None,
) -> dict[str, str]:
    """One item of CapNhatTienDoHoSoMC's `data`: one event of the dossier."""
    return {
        "MaHoSo": code,
        "NguoiXuLy": actor[:NGUOI_XU_LY_MAX],
        "ChucDanh": title,
        "ThoiDiemXuLy": when(event.at),
        "PhongBanXuLy": department,
        "NoiDungXuLy": event_content(event),
        "TrangThai": str(STATUS_CODES[event.to_status]),
        "NgayBatDau": when(event.at),
        "NgayKetThucTheoQuyDinh": when(due_at),
    }


def progress_key(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """What tells one progress item from another in DVCQG's answer to a look-up (the items
    carry no id of ours): when, which state, by whom and what."""
    return (
        str(item.get("ThoiDiemXuLy", "")),
        str(item.get("TrangThai", "")),
        str(item.get("NguoiXuLy", "")),
        str(item.get("NoiDungXuLy", "")),
    )

"""Our dossier in DVCQG's words: hand-written expectations of dvcqg.mapping (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from dossiers.models import Dossier, DossierEvent
from dvcqg import mapping
from dvcqg.mapping import DossierFacts, FeeItem, FileItem, SupplementItem


def dossier(**kwargs) -> Dossier:
    values = {
        "code": "000.41.11.H33-261125-0001",
        "channel": "online",
        "status": Dossier.Status.SUBMITTED,
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "001203004005",
        "applicant_phone": "0912345678",
        "applicant_email": "binh@example.vn",
        # 02:00 UTC is 09:00 in Vietnam.
        "submitted_at": datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
    }
    values.update(kwargs)
    return Dossier(**values)


def facts(d: Dossier, **kwargs) -> DossierFacts:
    values = {
        "dossier": d,
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "field_code": "ho-tich",
        "field_name": "Hộ tịch",
        "receiving_unit": "UBND xã Mường Khoa",
        "handling_unit": "UBND xã Mường Khoa",
    }
    values.update(kwargs)
    return DossierFacts(**values)


def test_times_are_vietnam_time_on_a_24_hour_clock_and_empty_for_none():
    assert mapping.when(datetime(2026, 11, 25, 8, 5, 9, tzinfo=UTC)) == "20261125150509"
    assert mapping.when(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "20270101003000"
    assert mapping.when(None) == ""


def test_a_new_online_dossier():
    record = mapping.dossier_record(
        facts(dossier(applicant_tech_id="TECH-42", applicant_vneid_verified=True))
    )
    assert record["MaHoSo"] == "000.41.11.H33-261125-0001"
    assert record["MaTTHC"] == "1.001193"
    assert record["MaDoiTuong"] == "TECH-42"
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    assert record["LoaiDoiTuong"] == "1"
    assert record["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "001203004005"}]
    assert record["KenhThucHien"] == "2"
    assert record["NgayNopHoSo"] == "20261125090000"
    assert record["NgayTiepNhan"] == ""
    assert record["NgayHenTra"] == ""
    assert record["NgayKetThucXuLy"] == ""
    assert record["TrangThaiHoSo"] == "1"
    assert record["HinhThuc"] == "0"
    assert record["HoSoCoThanhPhanSoHoa"] == "0"
    assert record["DuocThanhToanTrucTuyen"] == "0"
    assert record["TrichYeuHoSo"] == "Đăng ký khai sinh - Trần Thị Bình"
    assert record["TaiLieuNop"] == []
    assert record["DanhSachLePhi"] == []
    # Every scalar travels as a string.
    assert all(isinstance(v, str | list) for v in record.values())


def test_no_national_account_sends_empty_tech_id_and_zero():
    record = mapping.dossier_record(facts(dossier()))
    assert (record["MaDoiTuong"], record["TaiKhoanDuocXacThucVoiVNeID"]) == ("", "0")


def test_channels_statuses_and_identity_numbers():
    assert [mapping.CHANNELS[c] for c in ("counter", "online", "post")] == ["1", "2", "3"]
    expected = {
        "submitted": "1",
        "received": "2",
        "refused": "3",
        "processing": "4",
        "supplement_requested": "5",
        "awaiting_payment": "6",
        "withdrawal_requested": "7",
        "stopped": "8",
        "resolved": "9",
        "returned": "10",
    }
    for status, code in expected.items():
        assert mapping.dossier_record(facts(dossier(status=status)))["TrangThaiHoSo"] == code
    assert mapping.identity_numbers("123456789") == [
        {"LoaiDinhDanh": "2", "SoDinhDanh": "123456789"}
    ]
    assert mapping.identity_numbers("0101234567") == []  # a tax code is no personal ID


def test_a_refused_dossier_ends_when_it_was_refused():
    refused = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    record = mapping.dossier_record(
        facts(dossier(status=Dossier.Status.REFUSED), refused_at=refused)
    )
    assert (record["NgayTuChoi"], record["NgayKetThucXuLy"]) == ("20261125100000",) * 2


def test_a_returned_dossier_with_files_fees_and_a_supplement():
    d = dossier(
        channel="post",
        status=Dossier.Status.RETURNED,
        delivery=Dossier.Delivery.POST,
        received_at=datetime(2026, 11, 25, 2, 30, tzinfo=UTC),
        due_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        resolved_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        returned_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        fee_vnd=50_000,
        payment_method="counter",
    )
    record = mapping.dossier_record(
        facts(
            d,
            submitted_files=[FileItem(7, "to-khai.pdf", "https://x.vn/dvcqg/tep/a/")],
            result_files=[FileItem(9, "ket-qua.pdf", "https://x.vn/dvcqg/tep/b/")],
            fees=[FeeItem("Phí, lệ phí", 50_000)],
            supplements=[
                SupplementItem(
                    3,
                    "Nguyễn Văn An",
                    "Thiếu giấy chứng sinh",
                    datetime(2026, 11, 25, 4, 0, tzinfo=UTC),
                    None,
                )
            ],
            payment_channel=mapping.payment_channel_default(d),
        )
    )
    assert record["KenhThucHien"] == "3"
    assert record["HinhThuc"] == "1"
    assert record["NgayTiepNhan"] == "20261125093000"
    assert record["NgayHenTra"] == "20261127170000"
    assert record["NgayKetThucXuLy"] == "20261126160000"  # resolution, not the return
    assert record["NgayTra"] == "20261126170000"
    assert record["TrangThaiHoSo"] == "10"
    assert record["HoSoCoThanhPhanSoHoa"] == "1"
    assert record["DuocThanhToanTrucTuyen"] == "3"
    assert record["TaiLieuNop"] == [
        {
            "TepDinhKemId": "7",
            "TenTepDinhKem": "to-khai.pdf",
            "MaThanhPhanHoSo": "",
            "DuongDanTaiTepTin": "https://x.vn/dvcqg/tep/a/",
            "DuocSoHoa": "True",
            "DuocTaiSuDung": "False",
            "DuocLayTuKhoDMQG": "False",
            "IsDeleted": "False",
        }
    ]
    assert record["DanhSachGiayToKetQua"][0]["DuongDanTepTinKetQua"] == "https://x.vn/dvcqg/tep/b/"
    assert record["DanhSachLePhi"] == [
        {
            "TenPhiLePhi": "Phí, lệ phí",
            "MaPhiLePhi": "",
            "HinhThucThu": "",
            "Gia": "50000",
            "LoaiPhiLePhi": "1",
        }
    ]
    [supplement] = record["DanhSachHoSoBoSung"]
    assert supplement["NgayBoSung"] == "20261125110000"
    assert (supplement["NgayTiepNhanBoSung"], supplement["TrangThaiBoSung"]) == ("", "0")


def test_returned_without_a_resolution_step_ends_at_the_return():
    d = dossier(
        status=Dossier.Status.RETURNED, returned_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    )
    assert mapping.dossier_record(facts(d))["NgayKetThucXuLy"] == "20261126170000"


def test_payment_channel_is_unknown_when_paid_through_a_gateway():
    assert mapping.payment_channel_default(dossier(fee_vnd=0)) == "3"
    assert mapping.payment_channel_default(dossier(fee_vnd=10_000, payment_method="vnpay")) == "0"


def test_an_organisation_goes_as_a_business_without_a_personal_id():
    d = dossier(applicant_kind="organisation", organisation_name="Công ty TNHH Hoa Ban")
    record = mapping.dossier_record(facts(d, procedure_name="X" * 1200))
    assert (record["LoaiDoiTuong"], record["ChuHoSo"]) == ("2", "Công ty TNHH Hoa Ban")
    assert record["DinhDanhCHS"] == []
    assert len(record["TrichYeuHoSo"]) == 1000


def test_a_progress_item():
    event = DossierEvent(
        seq=3,
        kind="transition",
        from_status="processing",
        to_status="processing",
        at=datetime(2026, 11, 25, 7, 45, tzinfo=UTC),
        note="",
    )
    item = mapping.progress_item(
        code="C-1",
        event=event,
        actor="Nguyễn Văn An " * 5,
        title="Chuyên viên xử lý",
        department="Phòng Tư pháp",
        due_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
    )
    assert item == {
        "MaHoSo": "C-1",
        "NguoiXuLy": ("Nguyễn Văn An " * 5)[:50],
        "ChucDanh": "Chuyên viên xử lý",
        "ThoiDiemXuLy": "20261125144500",
        "PhongBanXuLy": "Phòng Tư pháp",
        "NoiDungXuLy": "Chuyển xử lý - Đang xử lý",
        "TrangThai": "4",
        "NgayBatDau": "20261125144500",
        "NgayKetThucTheoQuyDinh": "20261127170000",
    }
    event.note = "Chuyển Phòng Tư pháp"
    assert (
        mapping.progress_item(
            code="C-1", event=event, actor="", title="", department="", due_at=None
        )["NoiDungXuLy"]
        == "Chuyển Phòng Tư pháp"
    )

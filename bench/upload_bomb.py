"""What checking one archive upload costs: a 1 MB zip that declares about 1 GB (100 members
of 10 MB of zeros each, deflated), and an ordinary 1 MB .docx-like archive, each checked
--repeat times by dossiers.uploads.upload_validate. Prints the CPU time per check and whether
the file was accepted. In process; no server, no network.

    .venv/bin/python bench/upload_bomb.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from dossiers.uploads import upload_validate  # noqa: E402

MEMBER = 10 * 1024 * 1024


def bomb(members: int = 100) -> bytes:
    """Members share one compressed copy of 10 MB of zeros: cheap to make."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(b"\0" * MEMBER) + packer.flush()
    crc = zlib.crc32(b"\0" * MEMBER)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(members):
            info = zipfile.ZipInfo(f"zeros-{n}.bin", date_time=(2020, 10, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size, info.compress_size, info.CRC = MEMBER, len(data), crc
            info.header_offset = out.tell()
            out.write(info.FileHeader())
            out.write(data)
            archive.filelist.append(info)
            archive.NameToInfo[info.filename] = info
            archive.start_dir = out.tell()
    return out.getvalue()


def ordinary() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p>Tờ khai</w:p>" * 20_000)
        archive.writestr("word/media/scan.jpg", os.urandom(1024 * 1024))
    return out.getvalue()


def measure(name: str, content: bytes, repeat: int) -> None:
    verdict = "accepted"
    started = time.process_time()
    for _ in range(repeat):
        try:
            upload_validate(SimpleUploadedFile(name, content))
        except ValidationError as exc:
            verdict = "refused: " + exc.messages[0]
    cpu_ms = (time.process_time() - started) / repeat * 1000
    print(f"{name}: {len(content):,} bytes, {cpu_ms:.1f} ms CPU per check, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    measure("bom.zip", bomb(), args.repeat)
    measure("to-khai.docx", ordinary(), args.repeat)


if __name__ == "__main__":
    main()

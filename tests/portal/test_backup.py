"""Backup and restore (deploy/backup.sh, deploy/restore.sh) against the real PostgreSQL: a
backup restored into an empty new database and media directory holds every dossier and every
file, byte for byte."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from psycopg import sql

from dossiers.models import Dossier, DossierEvent, DossierFile
from dossiers.services.core import Applicant, IncomingFile, dossier_create
from procedures.models import Channel

DEPLOY = Path(django_settings.BASE_DIR) / "deploy"
BASH = shutil.which("bash") or "/bin/bash"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(
        not shutil.which("pg_dump") or not shutil.which("pg_restore"),
        reason="needs the PostgreSQL client tools",
    ),
]


def _url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ["PATH"], "STORAGE_BACKEND": "local", **env}
    return subprocess.run(  # noqa: S603 - our own scripts
        [BASH, str(DEPLOY / script), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    admin = _url(settings_dict, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url(settings_dict, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _dossiers_with_files(procedure, unit, officer) -> dict[str, str]:
    """Three dossiers with one to three files each; returns {stored name: SHA-256}."""
    expected: dict[str, str] = {}
    for number in range(3):
        files = []
        for index in range(number + 1):
            content = os.urandom(20_000 + 7_000 * index) + f"tệp {number}-{index}".encode()
            name = f"Giấy tờ {number}-{index}.pdf"
            files.append(
                IncomingFile(
                    document=None,
                    name=name,
                    extension=".pdf",
                    content_type="application/pdf",
                    upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
                )
            )
            expected[f"{number}-{index}"] = hashlib.sha256(content).hexdigest()
        dossier_create(
            procedure=procedure,
            unit=unit,
            channel=Channel.COUNTER,
            actor=officer,
            applicant=Applicant(
                name=f"Nguyễn Văn {number}",
                id_number=f"0011900{number:05d}",
                phone="0912345678",
                address="Bản Mường Khoa",
            ),
            files=files,
        )
    stored = {row.file.name: row.sha256 for row in DossierFile.objects.all()}
    assert sorted(stored.values()) == sorted(expected.values())
    return stored


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_restores_every_dossier_and_file_into_an_empty_database(
    transactional_db, birth_registration, commune, officer, settings, tmp_path, empty_database
):
    stored = _dossiers_with_files(birth_registration, commune, officer)
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    events = DossierEvent.objects.count()
    media = Path(settings.MEDIA_ROOT)
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])

    backup = _run(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=source_url, MEDIA_ROOT=str(media)
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup_dir.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar.gz"]
    shutil.rmtree(media)  # the original files are gone: only the backup can bring them back

    restored_media = tmp_path / "restored-media"
    restore = _run(
        "restore.sh", str(backup_dir), DATABASE_URL=empty_database, MEDIA_ROOT=str(restored_media)
    )
    assert restore.returncode == 0, restore.stderr

    def table(model) -> sql.Identifier:
        return sql.Identifier(model._meta.db_table)

    with psycopg.connect(empty_database) as conn:
        restored_codes = [
            row[0]
            for row in conn.execute(
                sql.SQL("SELECT code FROM {} ORDER BY code").format(table(Dossier))
            )
        ]
        restored_files = dict(
            conn.execute(
                sql.SQL("SELECT file, sha256 FROM {}").format(table(DossierFile))
            ).fetchall()
        )
        restored_events = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(table(DossierEvent))
        ).fetchone()[0]
    assert restored_codes == codes
    assert len(codes) == 3
    assert restored_files == stored
    assert restored_events == events
    for name, digest in restored_files.items():
        assert _sha256(restored_media / name) == digest, name


def test_restore_refuses_a_database_that_already_has_data(transactional_db, tmp_path):
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    backup = _run(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=source_url, MEDIA_ROOT=str(media)
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = backup.stdout.strip().splitlines()[-1]

    restore = _run(
        "restore.sh", backup_dir, DATABASE_URL=source_url, MEDIA_ROOT=str(tmp_path / "new-media")
    )
    assert restore.returncode != 0
    assert "restore into an empty one" in restore.stderr


def test_restore_refuses_a_tampered_backup(transactional_db, tmp_path, empty_database):
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    (media / "a.pdf").write_bytes(b"%PDF original")
    backup = _run(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=source_url, MEDIA_ROOT=str(media)
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip().splitlines()[-1])
    with (backup_dir / "db.dump").open("ab") as dump:
        dump.write(b"tampered")

    restore = _run(
        "restore.sh",
        str(backup_dir),
        DATABASE_URL=empty_database,
        MEDIA_ROOT=str(tmp_path / "new-media"),
    )
    assert restore.returncode != 0
    assert "checksums do not match" in restore.stderr
    with psycopg.connect(empty_database) as conn:
        assert (
            conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
            == 0
        )


def test_backup_keeps_only_the_newest_when_asked(transactional_db, tmp_path):
    source_url = _url(connection.settings_dict, connection.settings_dict["NAME"])
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    root = tmp_path / "backups"
    for stamp in ("20240101T000000Z", "20240102T000000Z", "20240103T000000Z"):
        (root / f"motcua-{stamp}").mkdir(parents=True)
    backup = _run(
        "backup.sh", str(root), DATABASE_URL=source_url, MEDIA_ROOT=str(media), BACKUP_KEEP="2"
    )
    assert backup.returncode == 0, backup.stderr
    newest = Path(backup.stdout.strip().splitlines()[-1]).name
    assert sorted(p.name for p in root.iterdir()) == ["motcua-20240103T000000Z", newest]

"""Who may read the files the application writes: the collected static files are public (the
app's user and nginx read them, whoever collected them: the image collects them as root), the
uploaded attachments are private to the app's user."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path) -> dict[str, int]:
    paths = [root, *root.rglob("*")]
    return {str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode) for path in paths}


@pytest.mark.parametrize(
    "backend",
    [
        # The production storage (DEBUG=0: hashed names, compressed copies, the manifest the
        # web reads at start) and the development one.
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
    ],
)
def test_collected_static_files_are_readable_by_every_user(settings, tmp_path, backend):
    settings.STATIC_ROOT = tmp_path / "static"
    # The project's own static files are enough to see the modes (and quick to compress).
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {**settings.STORAGES["staticfiles"], "BACKEND": backend},
    }

    # The umask of a Dockerfile's RUN (the Dockerfile sets it for collectstatic): the storage
    # gives its files their mode; WhiteNoise's compressed copies get the umask's.
    with umask(0o022):
        call_command("collectstatic", interactive=False, verbosity=0)

    modes = _modes(settings.STATIC_ROOT)
    files = {name: mode for name, mode in modes.items() if (tmp_path / "static" / name).is_file()}
    assert "css/portal.css" in files
    if backend.startswith("whitenoise"):
        assert "staticfiles.json" in files
    # Others may read every file and enter and list every directory.
    assert {name for name, mode in files.items() if not mode & stat.S_IROTH} == set()
    unreadable_dirs = {
        name
        for name, mode in modes.items()
        if name not in files and (mode & (stat.S_IROTH | stat.S_IXOTH)) != 0o005
    }
    assert unreadable_dirs == set()


def test_uploaded_files_are_not_readable_by_other_users(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    # The usual umask would leave the file readable by all: the mode must not come from it.
    with umask(0o022):
        name = default_storage.save("dossiers/2025/giay-to.pdf", ContentFile(b"%PDF private"))

    mode = stat.S_IMODE((settings.MEDIA_ROOT / name).stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0, oct(mode)
    assert mode & stat.S_IRUSR

"""Officers' uploads (counter scans, result files) and permission-checked downloads."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from dossiers.models import Dossier, DossierAccess, DossierFile
from dossiers.services.core import IncomingFile
from portal.exceptions import UploadTooLarge
from procedures.models import ProcedureDocument


def officer_upload_validate(
    upload: UploadedFile, *, document: ProcedureDocument | None = None
) -> IncomingFile:
    """Validate one uploaded file: the shared validator when present, else a minimal check."""
    try:
        from dossiers.uploads import upload_validate  # the citizens engineer's validator
    except ImportError:
        return _minimal_validate(upload, document=document)
    return upload_validate(upload, document=document)


def _minimal_validate(upload: UploadedFile, *, document: ProcedureDocument | None) -> IncomingFile:
    name = PurePath(upload.name or "tep").name[:200]
    extension = PurePath(name).suffix.lower()
    if extension not in settings.UPLOAD_ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng định dạng cho phép (%(allowed)s).")
            % {"name": name, "allowed": ", ".join(settings.UPLOAD_ALLOWED_EXTENSIONS)}
        )
    if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
        raise UploadTooLarge(_("Tệp “%(name)s” vượt quá dung lượng cho phép.") % {"name": name})
    if not upload.size:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name})
    return IncomingFile(
        document=document,
        upload=upload,
        name=name,
        extension=extension,
        content_type=upload.content_type or "",
    )


def dossier_access_record(
    *, dossier: Dossier, user: AbstractBaseUser, action: str, file: DossierFile | None = None
) -> DossierAccess:
    """Record that an officer opened a dossier or downloaded one of its files.

    The unit recorded is the officer's unit that gives them the dossier (handling unit first),
    which the citizen's look-up shows.
    """
    from dossiers.access import officer_unit_roles

    roles = officer_unit_roles(user=user)
    unit_id = next((pk for pk in (dossier.handling_unit_id, dossier.unit_id) if pk in roles), None)
    return DossierAccess.objects.create(
        dossier=dossier, user=user, unit_id=unit_id, action=action, file=file
    )

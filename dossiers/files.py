"""Officers' uploads (counter scans, result files) and permission-checked downloads."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile

from dossiers.models import Dossier, DossierAccess, DossierFile
from dossiers.services.core import IncomingFile
from dossiers.uploads import upload_validate
from procedures.models import ProcedureDocument


def officer_upload_validate(
    upload: UploadedFile, *, document: ProcedureDocument | None = None
) -> IncomingFile:
    """Validate one uploaded file with the validator the citizens' uploads use."""
    return upload_validate(upload, document=document)


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

"""Officers' uploads (counter scans, result files) and permission-checked downloads."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse

from dossiers.models import Dossier, DossierAccess, DossierFile
from dossiers.services.core import IncomingFile
from dossiers.uploads import upload_validate
from portal.downloads import private_file_response
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


def dossier_file_response(
    *, dossier: Dossier, user: AbstractBaseUser, file_id: int, as_attachment: bool = True
) -> HttpResponse:
    """One of the files of `dossier` (which the officer may open: the caller checked), its
    download recorded; Http404 for a file of another dossier."""
    row = dossier.files.filter(pk=file_id).first()
    if row is None:
        raise Http404
    dossier_access_record(
        dossier=dossier, user=user, action=DossierAccess.Action.DOWNLOAD, file=row
    )
    return private_file_response(
        file_field=row.file,
        filename=row.original_name,
        as_attachment=as_attachment,
        content_type=row.content_type,
    )

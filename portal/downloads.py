"""Serving private files (dossier attachments, results) after a view has checked permission.

Attachments are never at a public URL. A view checks who may see the file, then returns
`private_file_response(...)`, which hands the bytes over in the cheapest safe way:

- DOWNLOADS_X_ACCEL on, local storage: an empty response with `X-Accel-Redirect` to the
  internal nginx location DOWNLOADS_X_ACCEL_PREFIX (aliased to MEDIA_ROOT); nginx streams it.
- DOWNLOADS_X_ACCEL on, S3 storage: `X-Accel-Redirect` to DOWNLOADS_X_ACCEL_S3_PREFIX followed
  by the path and query of a short-lived presigned URL; nginx fetches it from the S3 endpoint
  (MinIO on the internal network), so the browser never needs to reach the bucket.
- S3 storage without X-Accel: a redirect to a presigned URL valid for S3_URL_EXPIRE seconds
  (the endpoint must then be reachable by browsers, as AWS S3 is).
- Otherwise (development, tests): Django streams the file (FileResponse).

Every answer is `Cache-Control: private, no-store`; the ones Django sends carry the same
sandboxing policy as nginx's internal locations (FILE_POLICY), so an uploaded HTML or SVG
file never runs script on the portal's origin however it is served.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def _is_s3(file_field: FieldFile) -> bool:
    # Decided by the storage the file lives on, so a test or a migration can mix backends.
    return hasattr(file_field.storage, "bucket_name") and hasattr(
        file_field.storage, "querystring_expire"
    )


# The same policy as deploy/nginx/motcua.conf's internal locations.
FILE_POLICY = "default-src 'none'; sandbox"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_POLICY
    return response


def private_file_response(
    *, file_field: FieldFile, filename: str, as_attachment: bool = True, content_type: str = ""
) -> HttpResponse:
    """The response that delivers `file_field` as `filename`. Call it only after checking
    permission: whoever gets this response gets the file."""
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = content_disposition_header(as_attachment, filename) or "inline"
    if _is_s3(file_field):
        url = file_field.storage.url(
            file_field.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=settings.S3_URL_EXPIRE,
        )
        if settings.DOWNLOADS_X_ACCEL:
            parts = urlsplit(url)
            target = settings.DOWNLOADS_X_ACCEL_S3_PREFIX.rstrip("/") + parts.path
            if parts.query:
                target += "?" + parts.query
            return _x_accel(target, content_type=content_type, disposition=disposition)
        return _private(HttpResponseRedirect(url))
    if settings.DOWNLOADS_X_ACCEL:
        target = settings.DOWNLOADS_X_ACCEL_PREFIX.rstrip("/") + "/" + quote(file_field.name)
        return _x_accel(target, content_type=content_type, disposition=disposition)
    response = FileResponse(
        file_field.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type,
    )
    return _private(response)


def _x_accel(target: str, *, content_type: str, disposition: str) -> HttpResponse:
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = target
    # nginx keeps Content-Type and Content-Disposition of this response for the file it sends.
    response["Content-Disposition"] = disposition
    return _private(response)

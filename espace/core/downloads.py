"""Serving a stored file (SECURITY.md, uploads): always as an attachment, streamed by the view that
checked who asks, wherever the file lives.

On local disk the file is read in blocks. In object storage (django-storages' S3) the object's body
is streamed as it arrives from the bucket: django-storages' own file object would first copy the
whole object into memory. The bucket stays private; no URL of it is ever given to a browser, so every
download passes the permission check, the scan check and the audit of the view that serves it
(a signed URL could be forwarded and used by anyone until it expires).
"""

from __future__ import annotations

from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

OCTET_STREAM = "application/octet-stream"
PDF = "application/pdf"


def stored_file_open(file: FieldFile) -> tuple[IO[bytes], int | None]:
    """Open a stored file to read it in blocks; return the stream and its size when known.

    A file missing from its storage (deleted by hand, a bucket restored without it) answers 404.
    """
    if not file or not file.name:
        raise Http404
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    s3_object = getattr(handle, "obj", None)  # storages.backends.s3.S3File: the boto3 Object
    if s3_object is None:
        return handle, handle.size
    body = s3_object.get()
    return body["Body"], int(body["ContentLength"])


def stored_file_response(file: FieldFile, *, filename: str, content_type: str | None = None) -> FileResponse:
    """The response that downloads `file` as `filename` (Content-Disposition: attachment), of the type
    recorded when it was checked (by content) or else `application/octet-stream`."""
    stream, size = stored_file_open(file)
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type or OCTET_STREAM)
    if size is not None:
        response["Content-Length"] = str(size)
    return response

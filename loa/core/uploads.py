"""Uploads larger than LOA_MAX_UPLOAD_BYTES stop at the door: the first upload handler counts
the bytes and stops the file before the rest reaches memory or disk. The fields sent before
the file (the CSRF token comes first in Loa's forms) still arrive, and the view says why the
file is missing. In production the reverse proxy refuses such bodies first
(client_max_body_size in docs/operations.md)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _


class SizeLimitUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.LOA_MAX_UPLOAD_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large(request) -> str | None:
    """The message to show if this request's upload was stopped for its size."""
    if request.method == "POST":
        request.FILES  # noqa: B018 - parsing the body is what sets the flag
    if getattr(request, "upload_too_large", False):
        return _("The file is larger than %(size)s MB.") % {
            "size": settings.LOA_MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    return None

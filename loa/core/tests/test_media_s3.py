"""Uploads kept in an S3-compatible bucket (LOA_MEDIA_STORAGE=s3): they land in the bucket under
the configured prefix and come back through Loa's own views, byte for byte, to those allowed to
see them and to nobody else. The bucket is on a real S3 server on loopback (conftest.py)."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loa.events.tests.factories import make_activity
from loa.library.models import Attachment
from loa.library.tests.factories import docx_bytes, make_document
from loa.settings import media_storage

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64  # every byte value, 16 KiB


def test_settings_build_the_s3_storage_from_the_environment():
    storage = media_storage(
        {
            "LOA_MEDIA_STORAGE": "s3",
            "LOA_S3_BUCKET": "loa-tinh",
            "LOA_S3_ENDPOINT_URL": "https://s3.example.vn",
            "LOA_S3_ADDRESSING_STYLE": "path",
        }
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "loa-tinh" and options["location"] == "media"
    assert options["endpoint_url"] == "https://s3.example.vn"
    assert options["addressing_style"] == "path" and options["default_acl"] is None
    assert options["access_key"] is None  # boto3's own chain (AWS_*, ~/.aws) then applies
    assert media_storage({})["BACKEND"].endswith("FileSystemStorage")
    with pytest.raises(ImproperlyConfigured, match="LOA_MEDIA_STORAGE must be local or s3"):
        media_storage({"LOA_MEDIA_STORAGE": "ftp"})
    with pytest.raises(ImproperlyConfigured, match="LOA_S3_ADDRESSING_STYLE"):
        media_storage({"LOA_MEDIA_STORAGE": "s3", "LOA_S3_ADDRESSING_STYLE": "dns"})


def test_the_settings_module_reads_the_same_options_from_its_environment(s3_bucket):
    """settings.py itself, started with the variables an operator sets, uses the storage the
    tests use, and it reaches the bucket."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "print(repr(settings.STORAGES['default']))\n"
        "print(default_storage.save('probe/hello.txt', ContentFile(b'xin chao')))\n"
    )
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "loa.settings",
        "SECRET_KEY": "test-only-not-secret",
        "LOA_DEBUG": "true",
        **s3_bucket.environ,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environ
    )
    configured, saved = result.stdout.splitlines()
    assert configured == repr(media_storage(s3_bucket.environ))
    assert saved == "probe/hello.txt"
    assert s3_bucket.read("loa-tinh/probe/hello.txt") == b"xin chao"


def test_an_activity_photo_lands_in_the_bucket_and_only_the_agency_sees_it(
    world, client_for, s3_bucket
):
    activity = make_activity(world, files=[SimpleUploadedFile("hội-nghị.png", PNG)])
    photo = activity.files.get()
    key = f"loa-tinh/{photo.file.name}"
    assert photo.file.name.startswith("events/")
    assert s3_bucket.keys() == [key]  # under the prefix, and nothing else in the bucket
    assert s3_bucket.read(key) == PNG

    url = reverse("events:file", args=[photo.pk])
    shown = client_for(world.staff_b.user).get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    assert client_for(world.outsider.user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the sign-in page


def test_a_document_uploaded_through_the_page_is_read_and_downloaded_from_the_bucket(
    world, client_for, s3_bucket, django_capture_on_commit_callbacks
):
    document = make_document(world.admin, "1204/QĐ-UBND", doc_type="decision", issuer="UBND tỉnh")
    data = docx_bytes("Đề án đẩy mạnh chuyển đổi số trong cơ quan", "Lưu VT.")
    editor = client_for(world.coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):  # the worker reads it from the bucket
        editor.post(
            reverse("library:attachment_upload", args=[document.pk]),
            {"file": SimpleUploadedFile("đề-án.docx", data)},
        )
    attachment = Attachment.objects.get()
    assert attachment.status == "done" and "chuyển đổi số" in attachment.text
    assert s3_bucket.keys() == [f"loa-tinh/{attachment.file.name}"]
    assert s3_bucket.read(f"loa-tinh/{attachment.file.name}") == data

    url = reverse("library:attachment", args=[attachment.pk])
    download = client_for(world.staff_b.user).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert "attachment" in download["Content-Disposition"]
    assert client_for(None).get(url).status_code == 302  # to the sign-in page

    # The same file uploaded again is kept as a second object, never written over the first.
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            reverse("library:attachment_upload", args=[document.pk]),
            {"file": SimpleUploadedFile("đề-án (2).docx", data)},
        )
    assert len(s3_bucket.keys()) == 2


def test_the_bucket_is_private(s3_bucket):
    """Nothing is public by URL: a link without a signature is refused by the store."""
    import urllib.error
    import urllib.request

    name = default_storage.save("events/private.png", SimpleUploadedFile("p.png", PNG))
    url = f"{s3_bucket.environ['LOA_S3_ENDPOINT_URL']}/{s3_bucket.name}/loa-tinh/{name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 403

"""A real S3 server on loopback for the tests of media in a bucket.

moto's server (`moto[server]`, the test extra) answers S3's HTTP protocol on 127.0.0.1; Loa's
storage (django-storages over boto3) talks to it as it would to MinIO or a provider's object
storage, with the options settings.py builds from LOA_MEDIA_STORAGE=s3 and LOA_S3_*.
"""

import socket
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from loa.settings import media_storage

ACCESS_KEY = "loa-test-access"
SECRET_KEY = "loa-test-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3 server on 127.0.0.1, for the whole test session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    """A fresh bucket, the environment an operator would set for it, and a client of its own
    (not Loa's) to look into it."""

    name: str
    prefix: str
    environ: dict[str, str]
    client: Any

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def empty(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=self.name, Key=key)


@pytest.fixture
def s3_bucket(s3_endpoint, settings) -> Bucket:
    """A new bucket on the S3 server, and Loa's default storage pointed at it exactly as
    settings.py does for these environment variables."""
    name = f"loa-test-{uuid.uuid4().hex[:12]}"
    environ = {
        "LOA_MEDIA_STORAGE": "s3",
        "LOA_S3_ENDPOINT_URL": s3_endpoint,
        "LOA_S3_BUCKET": name,
        "LOA_S3_REGION": REGION,
        "LOA_S3_ACCESS_KEY": ACCESS_KEY,
        "LOA_S3_SECRET_KEY": SECRET_KEY,
        "LOA_S3_PREFIX": "loa-tinh",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ)}
    return Bucket(name=name, prefix="loa-tinh", environ=environ, client=client)

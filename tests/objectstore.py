"""An S3-compatible object store for the tests: moto's server (`moto_server`, a real HTTP server
speaking the S3 protocol) started on a free port of 127.0.0.1, one private bucket per test.

The service reaches it through django-storages exactly as it reaches a cloud bucket (endpoint,
credentials and bucket from the settings or the environment); the tests read the bucket through
boto3, never through the service.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tests.serving import free_port

REGION = "eu-west-3"
ACCESS_KEY = "espace-test-key"
SECRET_KEY = "espace-test-secret"
LOCATION = "media"


@dataclass
class ObjectStore:
    endpoint: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def bucket_create(self) -> str:
        """A new private bucket: public access blocked, as docs/deployment.md asks of a production bucket."""
        name = f"espace-{secrets.token_hex(6)}"
        client = self.client()
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def body(self, bucket: str, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=bucket, Key=key)["Body"].read())

    def env(self, bucket: str) -> dict[str, str]:
        """The variables a service process reads (docs/deployment.md)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_LOCATION": LOCATION,
        }


@contextmanager
def object_store(log: Path) -> Iterator[ObjectStore]:
    """Start `moto_server` and stop it on the way out (RuntimeError with its log if it never answers)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while not _answers(endpoint):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield ObjectStore(endpoint=endpoint)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False

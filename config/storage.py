"""Where stored files live: the object-storage settings, built from environment variables.

One function, read by the settings and by the tests that start an S3-compatible server, so both
build the storage the same way (docs/deployment.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.config import Config


def s3_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """The `STORAGES["default"]` entry for an S3-compatible bucket (django-storages).

    The bucket stays private: no ACL is ever sent (the bucket's own policy applies) and every
    download is streamed through a view that checks permissions and scan status
    (espace.core.downloads), never through a URL of the bucket. Credentials follow boto3's chain
    (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, an instance or pod role): none is read here.
    """
    encryption = environ.get("AWS_S3_SERVER_SIDE_ENCRYPTION", "AES256")  # "aws:kms", or "" for none
    object_parameters = {"ServerSideEncryption": encryption} if encryption else {}
    if environ.get("AWS_S3_SSE_KMS_KEY_ID"):
        object_parameters["SSEKMSKeyId"] = environ["AWS_S3_SSE_KMS_KEY_ID"]
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most S3-compatible servers
            "location": environ.get("AWS_LOCATION", "media"),
            "default_acl": None,
            "querystring_auth": True,  # a URL of the bucket, if one were ever built, would be signed
            "file_overwrite": False,  # names are random already: never replace an object silently
            "object_parameters": object_parameters,
            "signature_version": "s3v4",
            # A store that does not answer fails the request in seconds (a French error page), not minutes.
            "client_config": Config(
                connect_timeout=int(environ.get("AWS_S3_CONNECT_TIMEOUT") or 5),
                read_timeout=int(environ.get("AWS_S3_READ_TIMEOUT") or 30),
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }

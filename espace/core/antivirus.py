"""Virus scan through clamd (SECURITY.md, uploads). Used by every upload before a file is kept."""

from __future__ import annotations

import io
from dataclasses import dataclass

import clamd
from django.conf import settings


class ScannerUnavailable(Exception):
    """clamd is configured but cannot be reached: the upload must wait, not pass unscanned."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_HOST or settings.CLAMD_SOCKET)


def scan_bytes(data: bytes) -> ScanResult:
    if settings.CLAMD_SOCKET:
        client: clamd.ClamdUnixSocket | clamd.ClamdNetworkSocket = clamd.ClamdUnixSocket(path=settings.CLAMD_SOCKET)
    else:
        client = clamd.ClamdNetworkSocket(host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=30)
    try:
        answer = client.instream(io.BytesIO(data))
    except (clamd.ConnectionError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    status, signature = answer.get("stream", ("ERROR", "no answer"))
    if status == "OK":
        return ScanResult(clean=True)
    if status == "FOUND":
        return ScanResult(clean=False, signature=signature or "")
    raise ScannerUnavailable(f"clamd: {status} {signature}")

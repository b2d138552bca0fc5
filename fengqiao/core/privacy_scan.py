"""A watch, in the test suite, for personal identifiers that leave the server unmasked.

Every response of every test (test client, live server, API, exports) passes through
`PrivacyScanMiddleware`, which the root conftest installs. A response that carries an
18-character identity number or an 11-digit mobile number in the clear is written down,
and the test that caused it fails, unless the request was a reveal (a path with
``/reveal`` in it), the one place a clear number may be shown. XLSX files are opened and
their sheets read; streamed responses (live events) are not scanned.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from fengqiao.core.masking import mask_id_number, mask_phone

ID_NUMBER = re.compile(
    rb"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(rb"(?<![0-9.])1[3-9]\d{9}(?![0-9])")


@dataclass(frozen=True)
class Leak:
    method: str
    path: str
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: unmasked {self.kind} {self.masked}"


def _texts(content: bytes) -> list[bytes]:
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return [archive.read(name) for name in archive.namelist() if name.endswith(".xml")]
        except zipfile.BadZipFile:
            return [content]
    return [content]


def find_unmasked(content: bytes) -> list[tuple[str, str]]:
    """(kind, masked value) for each clear identity or mobile number in a response body."""
    found: list[tuple[str, str]] = []
    for text in _texts(content):
        for match in ID_NUMBER.finditer(text):
            found.append(("identity number", mask_id_number(match.group().decode())))
        for match in MOBILE.finditer(text):
            found.append(("mobile number", mask_phone(match.group().decode())))
    return found


_lock = threading.Lock()
LEAKS: list[Leak] = []


def take_leaks() -> list[Leak]:
    with _lock:
        leaks = list(LEAKS)
        LEAKS.clear()
    return leaks


class PrivacyScanMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "/reveal" in request.path or getattr(response, "streaming", False):
            return response
        content = getattr(response, "content", b"")
        found = find_unmasked(content) if content else []
        if found:
            with _lock:
                LEAKS.extend(Leak(request.method or "", request.path, kind, masked) for kind, masked in found)
        return response

"""Identity numbers at rest: encrypted with AES-GCM, found again by a keyed hash.

The key lives outside the database: ``FENGQIAO_RECORDS_KEY`` (64 bytes, base64) or, when
that is unset, a key file made on first use (``FENGQIAO_RECORDS_KEY_FILE``, by default
``<data dir>/keys/records.key``, mode 0600). Its first 32 bytes encrypt, its last 32 key
the HMAC-SHA256 that makes a number searchable without storing it. A database dump alone
reveals no identity number; losing the key loses them, so back the key up apart from the
database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "v1:"
_lock = threading.Lock()
_keys: tuple[bytes, bytes] | None = None


def _key_file() -> Path:
    configured = getattr(settings, "FENGQIAO_RECORDS_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys" / "records.key"


def _load() -> tuple[bytes, bytes]:
    configured = getattr(settings, "FENGQIAO_RECORDS_KEY", "")
    if configured:
        raw = base64.b64decode(configured)
    else:
        path = _key_file()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(base64.b64encode(os.urandom(64)))
        raw = base64.b64decode(path.read_bytes().strip())
    if len(raw) != 64:
        raise ImproperlyConfigured("the records key must be 64 bytes (base64-encoded)")
    return raw[:32], raw[32:]


def keys() -> tuple[bytes, bytes]:
    global _keys
    if _keys is None:
        with _lock:
            if _keys is None:
                _keys = _load()
    return _keys


def forget_keys() -> None:
    """For tests that change the key settings."""
    global _keys
    _keys = None


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(keys()[0]).encrypt(nonce, value.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value of this version")
    blob = base64.b64decode(token[len(_PREFIX):])
    return AESGCM(keys()[0]).decrypt(blob[:12], blob[12:], None).decode()


def search_hash(value: str) -> str:
    """The keyed hash a normalised value is looked up by (hex, 64 characters)."""
    if not value:
        return ""
    return hmac.new(keys()[1], value.encode(), hashlib.sha256).hexdigest()

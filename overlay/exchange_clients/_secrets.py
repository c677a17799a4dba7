"""Helpers that keep API credentials out of reprs, logs and error messages."""

from __future__ import annotations

import base64
import hashlib
from typing import Generic, TypeVar

__all__ = ["Secret", "decode_b64_secret", "key_digest"]

_T = TypeVar("_T", str, bytes)


class Secret(Generic[_T]):
    """A credential that prints as ``***`` so it cannot leak through ``repr`` or ``str``."""

    __slots__ = ("_value",)

    def __init__(self, value: _T) -> None:
        self._value: _T = value

    def reveal(self) -> _T:
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__


def decode_b64_secret(secret: str, venue: str) -> bytes:
    """Decode a standard-alphabet base64 API secret, padding it when needed.

    Kraken's docs print an 87-character example secret, so a missing ``=`` is
    tolerated rather than rejected. The error message names the venue and the
    length only: the secret itself must never reach logs.
    """
    stripped = secret.strip()  # secrets read from env files often carry a trailing newline
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except ValueError:  # binascii.Error and non-ASCII input both land here
        raise ValueError(f"{venue} API secret is not valid standard base64 (length {len(stripped)})") from None


def key_digest(api_key: str, salt: bytes) -> str:
    """Names a key in registries and counter names without keeping the key: salted, so that a digest seen
    elsewhere (a log, a shared store) cannot be matched against a key by anyone without the salt."""
    return hashlib.blake2b(api_key.encode(), key=salt, digest_size=16).hexdigest()

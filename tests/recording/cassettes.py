"""Where cassettes live, how vcrpy is configured, and what is filtered before anything is written.

Every request and response goes through :func:`scrub_request` / :func:`scrub_response` before vcrpy
stores it (``before_record_request`` / ``before_record_response``), and vcrpy applies the same request
hook to each request it is asked to replay before matching, so recorded and replayed requests are
compared in the same masked form.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import vcr  # type: ignore[import-untyped]
import yaml
from vcr.cassette import Cassette  # type: ignore[import-untyped]
from vcr.request import Request  # type: ignore[import-untyped]

from .venues import VenueInfo

__all__ = [
    "CASSETTE_ROOT",
    "FILTERED",
    "MASKED_FIELDS",
    "MASKED_HEADERS",
    "SECRET_HEADERS",
    "cassette_metadata",
    "cassette_path",
    "live_cassette_path",
    "load_cassette_file",
    "mask_body",
    "masked_body_matcher",
    "recorder",
    "replaying",
    "scenario_cassette_path",
    "secret_variants",
]

CASSETTE_ROOT = Path(__file__).resolve().parents[1] / "cassettes"

FILTERED = "<filtered>"
# Headers whose whole value is a key or a signature.
SECRET_HEADERS = frozenset(
    name.lower() for name in ("API-Key", "API-Sign", "APIKey", "Authent", "ACCESS-KEY", "ACCESS-SIGN")
)
# Headers whose value changes on every call: masked to a fixed placeholder (and ignored by matching).
MASKED_HEADERS = {"nonce": "<nonce>", "access-timestamp": "<timestamp>"}
# Body fields masked to a fixed placeholder, in JSON and form bodies alike.
MASKED_FIELDS = {"nonce": "<nonce>", "otp": "<otp>"}
# Response headers that only say when the answer was sent: dropped, so a re-recording diffs clean.
DROPPED_RESPONSE_HEADERS = frozenset({"date"})
_LOOPBACK = re.compile(r"https?://(?:127\.0\.0\.1|localhost):\d+")
MATCH_ON = ("method", "path", "query", "masked_body")


def cassette_path(info: VenueInfo, operation: str, root: Path = CASSETTE_ROOT) -> Path:
    return root / info.name / f"{operation}.yaml"


def scenario_cassette_path(info: VenueInfo, scenario: str, root: Path = CASSETTE_ROOT) -> Path:
    return root / info.name / "scenarios" / f"{scenario}.yaml"


def live_cassette_path(info: VenueInfo, operation: str, root: Path = CASSETTE_ROOT) -> Path:
    return root / "live" / info.name / f"{operation}.yaml"


# --- masking --------------------------------------------------------------------------------------


def _json_field(name: str) -> re.Pattern[bytes]:
    # A top-level string or number member; the value's own characters never include '"', ',' or '}'.
    return re.compile(rb'("' + name.encode() + rb'"\s*:\s*)(?:"[^"]*"|[^,}\s]+)')


def _form_field(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"(^|&)(" + name.encode() + rb"=)[^&]*")


_JSON_FIELDS = {name: _json_field(name) for name in MASKED_FIELDS}
_FORM_FIELDS = {name: _form_field(name) for name in MASKED_FIELDS}


def mask_body(body: bytes | str | None) -> bytes | None:
    """The body with each ``nonce``/``otp`` value replaced by its placeholder (JSON or form)."""
    if body is None:
        return None
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    for name, placeholder in MASKED_FIELDS.items():
        quoted = b'"' + placeholder.encode() + b'"'
        data = _JSON_FIELDS[name].sub(lambda m, value=quoted: m.group(1) + value, data)  # type: ignore[misc]
        encoded = quote(placeholder, safe="").encode()
        data = _FORM_FIELDS[name].sub(lambda m, value=encoded: m.group(1) + m.group(2) + value, data)  # type: ignore[misc]
    return data


def secret_variants(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear on the wire: as is, percent-encoded, JSON-escaped; longest first."""
    variants = set()
    for secret in secrets:
        if not secret:
            continue
        variants.update({secret, quote(secret, safe=""), quote(secret), secret.replace("/", "\\/")})
    return sorted(variants, key=len, reverse=True)


def _replace_all(data: bytes, variants: Sequence[str]) -> bytes:
    for variant in variants:
        data = data.replace(variant.encode("utf-8"), FILTERED.encode())
    return data


def _replace_text(text: str, variants: Sequence[str]) -> str:
    for variant in variants:
        text = text.replace(variant, FILTERED)
    return text


def scrub_request(request: Request, production_base: str, secrets: Sequence[str]) -> Request:
    """A copy of ``request`` fit to be written: production URL, no key/secret/signature, nonces masked."""
    scrubbed = copy.deepcopy(request)
    variants = secret_variants(secrets)
    uri = _LOOPBACK.sub(production_base, scrubbed.uri)
    scrubbed.uri = _replace_text(uri, variants)
    headers = {}
    for name, value in scrubbed.headers.items():
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            kept = FILTERED
        elif lowered in MASKED_HEADERS:
            kept = MASKED_HEADERS[lowered]
        elif lowered == "host":
            kept = urlsplit(production_base).netloc
        else:
            kept = str(value)
        headers[name] = _replace_text(kept, variants)
    scrubbed.headers = headers
    body = scrubbed.body
    if isinstance(body, bytes | str):
        masked = mask_body(body)
        assert masked is not None
        scrubbed.body = _replace_all(masked, variants)
    return scrubbed


def scrub_response(response: dict[str, Any], production_base: str, secrets: Sequence[str]) -> dict[str, Any]:
    """``response`` (vcrpy's dict) with loopback URLs rewritten, secrets replaced, ``Date`` dropped."""
    variants = secret_variants(secrets)
    headers = {}
    for name, values in response.get("headers", {}).items():
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            continue
        headers[name] = [_replace_text(_LOOPBACK.sub(production_base, str(v)), variants) for v in values]
    response["headers"] = headers
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes | str):
        data = body.encode("utf-8") if isinstance(body, str) else body
        data = re.sub(_LOOPBACK.pattern.encode(), production_base.encode(), data)
        response["body"]["string"] = _replace_all(data, variants)
    return response


def masked_body_matcher(r1: Request, r2: Request) -> None:
    """vcrpy matcher: the bodies are equal once nonces and OTPs are masked (raises AssertionError if not)."""
    b1, b2 = mask_body(_bytes(r1.body)), mask_body(_bytes(r2.body))
    if (b1 or b"") != (b2 or b""):
        raise AssertionError(f"request bodies differ (nonce masked): {b1!r} != {b2!r}")


def _bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data: bytes = body.read()
        return data
    return b"".join(body)


# --- vcrpy configuration --------------------------------------------------------------------------


def _vcr(info: VenueInfo, record_mode: str, secrets: Sequence[str]) -> vcr.VCR:
    base = info.production_base
    configured = vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        before_record_request=lambda request: scrub_request(request, base, secrets),
        before_record_response=lambda response: scrub_response(response, base, secrets),
        decode_compressed_response=True,
    )
    configured.register_matcher("masked_body", masked_body_matcher)
    return configured


@contextmanager
def recorder(info: VenueInfo, path: Path, secrets: Sequence[str], metadata: Mapping[str, Any]) -> Iterator[Cassette]:
    """Record into ``path`` (replacing any old cassette), with ``metadata`` saved next to the interactions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with _vcr(info, "all", secrets).use_cassette(str(path)) as cassette:
        for key, value in metadata.items():
            cassette.get_metadata(key, copy.deepcopy(value))
        yield cassette


@contextmanager
def replaying(info: VenueInfo, path: Path, secrets: Sequence[str] = ()) -> Iterator[Cassette]:
    """Replay ``path`` in record mode ``none``: a request the cassette does not hold raises
    ``CannotOverwriteExistingCassetteException`` instead of reaching the network."""
    if not path.is_file():
        raise FileNotFoundError(f"no cassette {path}: run `make record`")
    with _vcr(info, "none", secrets).use_cassette(str(path), allow_playback_repeats=False) as cassette:
        yield cassette


def load_cassette_file(path: Path) -> dict[str, Any]:
    """The cassette's YAML as data (interactions and metadata), without vcrpy."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def cassette_metadata(path: Path) -> dict[str, Any]:
    metadata: dict[str, Any] = load_cassette_file(path).get("metadata") or {}
    return metadata

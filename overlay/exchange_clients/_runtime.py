"""What every facade call does, whatever the venue or operation.

check the arguments → build the request with the generated ``_get_kwargs`` → sign (private calls only)
→ send → decode (decimals exact) → the venue's envelope check → typed parse with the generated
``_parse_response`` → unwrap. The typed facades in ``_facades/`` are generated; each of their methods is
one line that calls ``_call``/``_acall`` with its :class:`Operation`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
import inspect
import logging
import os
import time
import typing
import warnings
import zlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar
from urllib.parse import urlsplit

import httpx

from exchange_clients._arguments import (
    check_arguments,
    check_path_parameters,
    check_rules,
    check_url_length,
    plain_types,
    with_body,
)
from exchange_clients._client_ids import ClientId, ClientIdField, add_client_ids, attach_client_ids
from exchange_clients._coordination import LOCAL, Coordination
from exchange_clients._data_checks import unsendable_arguments
from exchange_clients._events import Event, Observed
from exchange_clients._json import dumps_exact, plain_number
from exchange_clients._markets import AsyncMarkets, SyncMarkets
from exchange_clients._network import (
    DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    NOT_SENT,
    AnswerTooLarge,
    aread_body,
    bound_transport,
    deadline_of,
    is_loopback,
    read_body,
    time_left,
)
from exchange_clients._nonce import KeyNonce
from exchange_clients._options import PerCallOptions
from exchange_clients._outcome import is_unknown_outcome, unknown_outcome
from exchange_clients._query import query_string
from exchange_clients._ratelimit import LimiterBackend, RateLimiter, VenueLimits
from exchange_clients._reconcile import AsyncReconcile, PlanFactory, SyncReconcile
from exchange_clients._responses import (
    CallContext,
    decode_json,
    error_context,
    make_warning,
    media_type,
    raise_for_http_status,
    refuse_duplicate_keys,
)
from exchange_clients._retry import NO_RETRY, RetryPolicy
from exchange_clients.errors import (
    AuthenticationError,
    CoordinationUnavailable,
    ExchangeError,
    ExchangeWarning,
    InvalidArguments,
    InvalidNonce,
    MissingCredentials,
    RequestTimeout,
    SchemaDrift,
    TransportError,
    UnexpectedResponse,
)

if TYPE_CHECKING:
    import ssl

    from typing_extensions import Self

    from exchange_clients._markets import MarketSource

__all__ = ["DEFAULT_TIMEOUT", "AsyncFacade", "BodyFields", "Operation", "SyncFacade", "VenueProfile"]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_log = logging.getLogger("exchange_clients")
_USER_AGENT = "exchange-clients/0.1 (+python-httpx)"
# Exceptions generated from_dict code raises on a body that does not match its schema.
_SCHEMA_MISMATCH = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
# What writing a request raises for a value that passed the type checks but cannot be encoded: a lone
# surrogate (UnicodeEncodeError), an int longer than Python writes, data JSON cannot carry, deep nesting.
_UNSENDABLE = (TypeError, ValueError, RecursionError)


class BodyFields(NamedTuple):
    """A request body whose fields the facade takes as keyword arguments (``body=`` stays an alternative)."""

    model: str  # the request model's class name, as the generated endpoint module imports it
    fields: tuple[tuple[str, str], ...]  # (keyword argument, model attribute)
    required: tuple[str, ...]  # keyword arguments required when the fields are given one by one


class Operation(NamedTuple):
    """One generated operation as the facade sees it (written by scripts/write_facades.py)."""

    name: str
    module: str
    method: str
    path: str  # as on the wire, the API's own prefix included
    private: bool
    read: bool
    empty_success: bool = False
    json_success: bool = True
    unwrap: str | None = None  # the envelope field holding the result (Kraken Spot: "result")
    path_params: tuple[str, ...] = ()
    body: BodyFields | None = None
    # Argument combinations the venue requires: (rule, ((wire name, argument name), ...)), the rule one of
    # "exactly_one", "at_most_one", "at_least_one".
    rules: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


class VenueProfile(NamedTuple):
    """Everything venue-specific that the generic call path needs, as data and small functions."""

    name: str
    package: str
    default_base_url: str
    key_env: str
    secret_env: str
    make_auth: Callable[..., httpx.Auth]
    check_envelope: Callable[[Any, httpx.Response, CallContext], list[ExchangeWarning]]
    rate_limits: Callable[[], VenueLimits]
    auth_options: tuple[str, ...] = ()
    # Operations that place orders, and where their client order id goes (exchange_clients._client_ids).
    client_ids: Mapping[str, ClientIdField] = MappingProxyType({})
    # How to find an order whose outcome is unknown (exchange_clients._reconcile), if the venue can.
    reconcile: PlanFactory | None = None
    # Nonces must reach the venue in order: signed calls of one key go one at a time unless told otherwise.
    sequential: bool = False
    # Codes of ServiceUnavailable errors that still mean "not performed" (a market closed to new orders).
    refusals: frozenset[str | int] = frozenset()
    # The envelope's own keys: an answer that names one twice is refused.
    envelope_keys: tuple[str, ...] = ()
    # Where client.markets() reads the venue's markets from (exchange_clients._markets).
    markets: MarketSource | None = None


class _Prepared:
    """One call's request and what the call has learned about it so far."""

    __slots__ = ("auth", "client_ids", "fields", "nonce_renewed", "request", "sent", "sent_at")

    def __init__(
        self, request: httpx.Request, auth: httpx.Auth | None, fields: Mapping[str, Any], client_ids: list[ClientId]
    ) -> None:
        self.request = request
        self.auth = auth
        self.fields = fields
        self.client_ids = client_ids
        self.sent = False  # some of the request may have reached the venue
        self.sent_at: float | None = None
        self.nonce_renewed = False


class _ParseClient:
    """Stands in for the generated client inside ``_parse_response``: unknown statuses return None."""

    raise_on_unexpected_status = False


_PARSE_CLIENT = _ParseClient()


class _Decoded:
    """A response whose body was already decoded by us (Decimal numbers), for ``_parse_response``."""

    def __init__(self, response: httpx.Response, payload: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.content
        self._payload = payload

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return self._payload


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


@cache
def _signature(module_name: str) -> tuple[tuple[str, ...], dict[str, Any], dict[str, type | None]]:
    """The generated ``_get_kwargs``' parameters without a default, its type hints, and their plain types."""
    function = _module(module_name)._get_kwargs
    parameters = inspect.signature(function).parameters.items()
    required = tuple(name for name, p in parameters if p.default is inspect.Parameter.empty)
    hints = typing.get_type_hints(function)
    return required, hints, plain_types(hints, _unset_type(module_name.split(".", 1)[0]))


@cache
def _drifts_var(package: str) -> Any:
    """The generated package's collector of schema drifts (``types.DRIFTS``, a ContextVar)."""
    return _module(f"{package}.types").DRIFTS


@cache
def _unset_type(package: str) -> type:
    unset: type = _module(f"{package}.types").Unset
    return unset


@cache
def _call_context(venue: str, method: str, path: str) -> CallContext:
    return CallContext(venue=venue, method=method, path=path)


# The environment variables httpx reads when it builds its default TLS context.
_TLS_ENVIRONMENT = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")


def _default_tls() -> ssl.SSLContext:
    """httpx's default TLS context (``verify=True``), built once per process rather than once per client.

    Loading the CA bundle takes about 20 ms, which each new ``httpx.Client`` would otherwise pay again.
    Keyed by the environment that httpx reads, so a changed ``SSL_CERT_FILE`` still takes effect.
    """
    return _tls_for(tuple(os.environ.get(name) for name in _TLS_ENVIRONMENT))


@cache
def _tls_for(environment: tuple[str | None, ...]) -> ssl.SSLContext:
    return httpx.create_ssl_context()


_Client = TypeVar("_Client", httpx.Client, httpx.AsyncClient)
_Transport = TypeVar("_Transport", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _Core(Generic[_Client, _Transport]):
    """Configuration and the I/O-free parts of a call, shared by the sync and async facades."""

    profile: ClassVar[VenueProfile]
    # The path the spec's server URL carries (Kraken Spot: /0), and the API's own prefixes that a base_url given
    # with them is trimmed of (written by scripts/write_facades.py).
    server_path: ClassVar[str] = ""
    api_prefixes: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | bool = True,
        rate_limit: bool | VenueLimits | LimiterBackend | RateLimiter = True,
        http_client: _Client | None = None,
        transport: _Transport | None = None,
        on_warning: Callable[[ExchangeWarning], None] | None = None,
        sequential: bool | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        on_event: Callable[[Event], None] | None = None,
        coordination: Coordination | None = None,
        **auth_options: Any,
    ) -> None:
        """Options (each venue's facade lists these, and its signer's own, in its signature):

        api_key, api_secret: the credentials; with neither given, they are read from the venue's environment
            variables. Public operations need none.
        base_url: scheme and host (and a proxy's own path prefix, if any); default: the venue's production host.
        timeout: seconds or an ``httpx.Timeout``; default 10 s, 5 s to connect. The longest part is also the
            deadline of a whole call: connecting, sending, the answer's last byte and any retries' waits.
        retry: ``True`` (the default policy), ``False``, or a ``RetryPolicy``. Reads are retried; a write only when
            it failed before a byte was sent.
        rate_limit: ``True`` (the venue's limits, state shared in the process), ``False``, the venue's limits of
            your choice (``spot_rate_limits("pro")``), a ``LimiterBackend`` to keep the state in, or a
            ``RateLimiter``.
        http_client: your own ``httpx.Client`` (``AsyncClient`` for the async facades), used as it is and never
            closed by us.
        transport: a transport for the client we create otherwise.
        on_warning: receives each ``ExchangeWarning`` (venue warnings, ``SchemaDrift``, ``UnknownOrderStatus``);
            default: ``warnings.warn``. Warnings are delivered once the result exists; a handler that raises
            fails a read, but never loses the result of a write (it is logged instead).
        sequential: send the signed calls of one key one at a time, so that their nonces arrive in order
            (default: the venue's need; Kraken Spot and Futures check nonces, bitFlyer does not).
        max_response_bytes: the largest answer accepted, decompressed (default 32 MiB).
        allow_insecure_http: let credentials go to a plain-HTTP host that is not this machine (default: refused).
        on_event: receives an ``Event`` for each answer, retry and rate-limit wait (for metrics); the same events
            are logged on the ``exchange_clients.<venue>`` loggers (requests at DEBUG, retries and waits at INFO).
        coordination: where nonces, rate limits and the per-key sequencing lock live (default: this process).
            Give every client of one key, in every process, the same ``exchange_clients.redis.RedisCoordination``
            to share them across processes and machines.
        """
        profile = self.profile
        self._owns_http = http_client is None
        self._http: _Client = http_client or self._new_client(
            timeout=timeout,
            transport=transport or self._bounded_transport(),
            # Only the encodings that exchange_clients._network decodes within the size bound.
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )
        self._base_url = _trimmed_base_url(base_url or profile.default_base_url, self.api_prefixes)
        self._call_seconds = deadline_of(timeout)
        self._max_response_bytes = max_response_bytes
        self._sequential = profile.sequential if sequential is None else sequential
        address = urlsplit(self._base_url)
        self._refuse_credentials = address.scheme != "https" and not (
            allow_insecure_http or is_loopback(address.hostname or "")
        )
        self._retry = RetryPolicy() if retry is True else NO_RETRY if retry is False else retry
        self._on_warning = on_warning or _warn
        self._on_event = on_event
        self._reported_drifts: set[tuple[str, str, str, str]] = set()
        if api_key is None and api_secret is None:
            api_key, api_secret = os.environ.get(profile.key_env), os.environ.get(profile.secret_env)
        # Env files and copy-paste bring newlines and spaces along; they are never part of a key.
        api_key, api_secret = (api_key or "").strip(), (api_secret or "").strip()
        shared = coordination or LOCAL
        key_name = shared.key_name(api_key) if api_key else ""
        if coordination is not None and api_key and "nonce" in profile.auth_options and not auth_options.get("nonce"):
            auth_options["nonce"] = KeyNonce(coordination.nonces, key_name)
        self._auth = self._make_auth(api_key, api_secret, auth_options)
        self._limiter = self._make_limiter(rate_limit, api_key or None, coordination)
        self._sequencer = shared.sequencer
        self._sequence_key = key_name

    def _new_client(self, **options: Any) -> _Client:
        raise NotImplementedError

    def _bounded_transport(self) -> _Transport:
        """A transport of ours, with httpx's default TLS (built once per process) and the calls' deadline."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, authenticated={self._auth is not None})"

    def _prepare(self, op: Operation, args: Mapping[str, Any]) -> _Prepared:
        """The request to send (arguments checked, nothing sent yet), the signer (for private calls only), the
        request's wire fields (for the rate limiter and reconciling) and the client order ids it carries."""
        try:
            arguments, fields, ids = self._request_arguments(op, args, self._http)
            request = self._http.build_request(**arguments)
        except _UNSENDABLE as exc:
            raise unsendable_arguments(self.profile.name, op.name, args, exc) from exc
        return _Prepared(request, self._auth if op.private else None, fields, ids)

    def _after_failure(self, op: Operation, prepared: _Prepared, attempt: int, error: ExchangeError) -> float:
        """Seconds to wait before trying again, or the error to raise.

        An invalid nonce is answered once more with a fresh one, at once: the venue refused the request unread.
        Reads are retried by the policy. A write is retried only when none of it was sent; a write that may have
        reached the venue raises ``OrderOutcomeUnknown``, since only the venue knows whether it happened.
        """
        if isinstance(error, CoordinationUnavailable):  # nothing was sent, and waiting would not bring the store back
            error.venue, error.method, error.path = self.profile.name, op.method, op.path
            raise error
        if isinstance(error, InvalidNonce) and not prepared.nonce_renewed:
            prepared.nonce_renewed = True
            return 0.0
        if not op.read:
            first = prepared.client_ids[0].value if prepared.client_ids else None
            if is_unknown_outcome(error, prepared.sent, self.profile.refusals):
                raise unknown_outcome(
                    error, op.name, first or None, prepared.fields, prepared.sent_at or time.time()
                ) from error
            error.client_order_id = first or None
            if prepared.sent:
                raise error
        delay = self._retry.delay(attempt, error)
        left = time_left()
        if delay is None or (left is not None and delay >= left):
            raise error
        return delay

    def _make_limiter(
        self,
        rate_limit: bool | VenueLimits | LimiterBackend | RateLimiter,
        key: str | None,
        coordination: Coordination | None,
    ) -> RateLimiter | None:
        if rate_limit is False:
            return None
        if isinstance(rate_limit, RateLimiter):
            return rate_limit
        shared = None if coordination is None else coordination.limits
        if isinstance(rate_limit, VenueLimits):
            return RateLimiter(rate_limit, key, backend=shared)
        return RateLimiter(self.profile.rate_limits(), key, backend=shared if rate_limit is True else rate_limit)

    def _make_auth(self, api_key: str | None, api_secret: str | None, options: dict[str, Any]) -> httpx.Auth | None:
        profile = self.profile
        unknown = sorted(set(options) - set(profile.auth_options))
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments: {', '.join(unknown)}")
        if not api_key and not api_secret:
            return None
        if not api_key or not api_secret:
            missing = "api_key" if not api_key else "api_secret"
            raise MissingCredentials(
                f"{missing} is missing (pass both, or set {profile.key_env} and {profile.secret_env})",
                venue=profile.name,
            )
        if not (api_key.isascii() and api_key.isprintable()):
            # Said without the key: a key with a stray character in it is still a key.
            raise AuthenticationError(
                f"{profile.name} API key must be printable ASCII (length {len(api_key)})", venue=profile.name
            )
        try:
            return profile.make_auth(api_key, api_secret, **options)
        except ValueError as exc:
            raise AuthenticationError(str(exc), venue=profile.name) from None

    @property
    def base_url(self) -> str:
        return self._base_url

    def _request_arguments(
        self, op: Operation, args: Mapping[str, Any], client: httpx.Client | httpx.AsyncClient | None = None
    ) -> tuple[dict[str, Any], Mapping[str, Any], list[ClientId]]:
        """Validate the caller's arguments and turn them into ``httpx`` request arguments (no I/O), the request's
        wire fields (query and body together) and the client order ids of the orders it places (some ours).

        ``client`` is the client that will build the request, when known: query parameters then go into the
        URL text directly unless the client adds parameters of its own.
        """
        profile = self.profile
        if op.private and self._auth is None:
            raise MissingCredentials(
                f"{op.name} is private and needs API credentials: pass api_key and api_secret, "
                f"or set {profile.key_env} and {profile.secret_env}",
                venue=profile.name,
                method=op.method,
                path=op.path,
            )
        if op.private and self._refuse_credentials:
            raise InvalidArguments(
                f"{profile.name} {op.name}: refusing to send credentials to {self._base_url} over plain HTTP; use "
                "https, or pass allow_insecure_http=True if this host is really meant",
                venue=profile.name,
                code="client-side",
            )
        check_path_parameters(profile.name, op.name, op.path_params, args)
        module = _module(op.module)
        unset = _unset_type(profile.package)
        if op.body is not None:
            args = with_body(profile.name, op.name, op.body, getattr(module, op.body.model), args, unset)
        required, hints, plain = _signature(op.module)
        checked = check_arguments(profile.name, op.name, required, hints, args, unset, plain)
        kwargs = module._get_kwargs(**checked)
        if op.rules:
            check_rules(profile.name, op.name, op.rules, kwargs)
        client_id = profile.client_ids.get(op.name)
        ids = add_client_ids(client_id, kwargs) if client_id is not None else []
        url = self._base_url + self.server_path + kwargs["url"]
        request: dict[str, Any] = {"method": kwargs["method"].upper(), "url": url}
        headers = dict(kwargs.get("headers", {}))
        if "json" in kwargs:
            request["content"] = dumps_exact(kwargs["json"])
            headers["Content-Type"] = "application/json"
        for key in ("files", "content"):
            if key in kwargs:
                request[key] = kwargs[key]
        if "data" in kwargs:
            request["data"] = _plain_decimals(kwargs["data"])
        if "params" in kwargs:
            if client is None or client.params or "://" not in url or "?" in url or "#" in url:
                request["params"] = _plain_decimals(kwargs["params"])
            else:
                # The URL build_request(params=...) would end with, as text: httpx then parses it once,
                # not twice (the long way is for a client that brings query parameters of its own).
                params = kwargs["params"]
                request["url"] = f"{url}?{query_string(params)}" if params else url  # "?" for {"k": []}, as httpx
        request["headers"] = headers
        check_url_length(profile.name, op.name, request["url"])
        return request, _wire_fields(kwargs), ids

    def _context(self, op: Operation) -> CallContext:
        return _call_context(self.profile.name, op.method, op.path)

    def _finish(self, op: Operation, response: httpx.Response) -> Any:
        """Decode, check the envelope, parse and unwrap one response."""
        ctx = self._context(op)
        if response.is_success and not response.content and op.empty_success:
            return None
        if not op.json_success and response.is_success and media_type(response) not in _JSON_OR_HTML:
            return self._parse(op, response, None, ctx)
        payload = decode_json(response, ctx)
        refuse_duplicate_keys(payload, response, ctx, self.profile.envelope_keys)
        warnings = self.profile.check_envelope(payload, response, ctx)
        raise_for_http_status(response, ctx)
        parsed = self._parse(op, response, payload, ctx, warnings)
        result = parsed if op.unwrap is None else self._unwrap(op.unwrap, parsed, response, ctx)
        if warnings:
            self._deliver(op, warnings)
        return result

    def _unwrap(self, field: str, parsed: Any, response: httpx.Response, ctx: CallContext) -> Any:
        result = getattr(parsed, field, None)
        if result is None or isinstance(result, _unset_type(self.profile.package)):
            raise UnexpectedResponse(f"the success envelope has no {field!r}", **error_context(response, ctx))
        return result

    def _parse(
        self,
        op: Operation,
        response: httpx.Response,
        payload: Any,
        ctx: CallContext,
        warnings: list[ExchangeWarning] | None = None,
    ) -> Any:
        """The generated ``_parse_response``, reading tolerantly; each new drift from the schema joins ``warnings``."""
        parse = _module(op.module)._parse_response
        drifts_var = _drifts_var(self.profile.package)
        drifts: list[Any] = []
        token = drifts_var.set(drifts)
        try:
            parsed = parse(client=_PARSE_CLIENT, response=_Decoded(response, payload))
        except _SCHEMA_MISMATCH as exc:
            raise UnexpectedResponse(
                f"the response does not match the documented schema ({type(exc).__name__}: {exc})",
                **error_context(response, ctx),
            ) from exc
        finally:
            drifts_var.reset(token)
        if parsed is None and not op.empty_success:
            raise UnexpectedResponse(
                f"HTTP {response.status_code} is not a documented answer",
                **error_context(response, ctx),
            )
        if drifts and warnings is not None:
            warnings += self._new_drifts(op, drifts, response, ctx)
        return parsed

    def _new_drifts(
        self, op: Operation, drifts: list[Any], response: httpx.Response, ctx: CallContext
    ) -> list[ExchangeWarning]:
        """A ``SchemaDrift`` for each drift this client has not reported yet (once per operation and place)."""
        new = []
        for drift in drifts:
            place = f"{drift.model}.{drift.field}" if drift.field else drift.model
            key = (op.name, place, drift.expected, drift.found)
            if key in self._reported_drifts:
                continue
            self._reported_drifts.add(key)
            outcome = "left unset" if drift.found.startswith("nothing") else "read as sent"
            new.append(
                make_warning(
                    SchemaDrift,
                    f"{op.name}: {place} should be {drift.expected}, got {drift.found} ({outcome})",
                    response,
                    ctx,
                    operation=op.name,
                    field=place,
                    expected=drift.expected,
                    found=drift.found,
                )
            )
        return new

    def _deliver(self, op: Operation, warnings: list[ExchangeWarning]) -> None:
        """Hand each warning to ``on_warning`` once the result is known.

        A handler that raises (``python -W error`` makes the default one raise) fails a read, as asked; for a write
        the error is logged and the result still returned: an order placed must never be lost to a warning.
        """
        for warning in warnings:
            try:
                self._on_warning(warning)
            except Exception:
                if op.read:
                    raise
                _log.exception("on_warning raised for %s; the result of this write is returned anyway", warning)

    def _transport_error(self, op: Operation, exc: httpx.HTTPError, prepared: _Prepared) -> ExchangeError:
        """The error for a request that got no (whole) answer; notes on ``prepared`` whether any of it left."""
        prepared.sent = not isinstance(exc, NOT_SENT)
        kind = RequestTimeout if isinstance(exc, httpx.TimeoutException) else TransportError
        return kind(f"{type(exc).__name__}: {exc}", venue=self.profile.name, method=op.method, path=op.path)

    def _received(self, op: Operation, prepared: _Prepared, response: httpx.Response) -> Any:
        """The result of an answer read whole; a redirect of a signed request is refused, never followed."""
        prepared.sent = True
        if prepared.auth is not None and response.is_redirect:
            target = response.headers.get("Location", "?")
            raise UnexpectedResponse(
                f"HTTP {response.status_code} redirect to {target!r} refused: a signed request is never forwarded",
                **error_context(response, self._context(op)),
            )
        return self._finish(op, response)

    def _oversize(self, op: Operation, exc: Exception, response: httpx.Response, prepared: _Prepared) -> ExchangeError:
        """The answer could not be read whole (too large, an encoding not asked for): its body is not kept."""
        prepared.sent = True  # an answer came, so the request arrived
        ctx = self._context(op)
        return UnexpectedResponse(
            f"{exc}; reading stopped",
            venue=ctx.venue,
            http_status=response.status_code,
            method=ctx.method,
            path=ctx.path,
        )

    def _start(self, op: Operation, prepared: _Prepared) -> contextvars.Token[float | None]:
        """The call's deadline, for every socket operation and wait of this call."""
        seconds = self._call_seconds
        return DEADLINE.set(None if seconds is None else time.monotonic() + seconds)

    def _succeeded(self, op: Operation, prepared: _Prepared, result: Any) -> Any:
        if self._limiter is not None:
            self._limiter.record(op, prepared.fields, result)
        spec = self.profile.client_ids.get(op.name)
        if spec is not None and spec.attach and prepared.client_ids:
            attach_client_ids(spec, result, prepared.client_ids)
        return result


_JSON_OR_HTML = ("application/json", "text/html")
_NO_HOLD = contextlib.nullcontext()  # reusable: it holds nothing


def _plain_decimals(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Form or query fields with each ``Decimal`` in plain notation: httpx would write ``str()``, maybe ``1E+3``."""
    return {
        key: [plain_number(v) if isinstance(v, Decimal) else v for v in value] if isinstance(value, list | tuple)
        else plain_number(value) if isinstance(value, Decimal) else value
        for key, value in fields.items()
    }  # fmt: skip


def _trimmed_base_url(base_url: str, api_prefixes: tuple[str, ...]) -> str:
    """Scheme and host (and a proxy's own prefix): a base URL that already ends with the API's prefix
    (``https://api.kraken.com/0``, ``…/derivatives/api/v3``) is trimmed of it, so that the path is not doubled."""
    trimmed = base_url.rstrip("/")
    path = urlsplit(trimmed).path
    for prefix in api_prefixes:  # longest first
        if path.endswith(prefix):
            return trimmed[: len(trimmed) - len(prefix)]
    return trimmed


def _wire_fields(kwargs: Mapping[str, Any]) -> Mapping[str, Any]:
    body = kwargs.get("json") or kwargs.get("data")
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else _NO_FIELDS
    params = kwargs.get("params")
    return {**params, **fields} if params and fields else params or fields


_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


def _warn(warning: ExchangeWarning) -> None:
    warnings.warn(warning, stacklevel=5)


class SyncFacade(SyncReconcile, SyncMarkets, PerCallOptions, Observed, _Core[httpx.Client, httpx.BaseTransport]):
    """Base of the synchronous venue clients. Use as a context manager to close connections."""

    def _new_client(self, **options: Any) -> httpx.Client:
        return httpx.Client(**options)

    def _bounded_transport(self) -> httpx.BaseTransport:
        transport = httpx.HTTPTransport(verify=_default_tls())
        bound_transport(transport)
        return transport

    def _call(self, op: Operation, args: Mapping[str, Any]) -> Any:
        prepared = self._prepare(op, args)
        token = self._start(op, prepared)
        try:
            attempt = 0
            while True:
                try:
                    result = self._attempt(op, prepared)
                except ExchangeError as error:
                    if self._limiter is not None:
                        self._limiter.penalize(op, error)
                    time.sleep(self._after_failure(op, prepared, attempt, error))
                    attempt += 1
                else:
                    return self._succeeded(op, prepared, result)
        finally:
            DEADLINE.reset(token)

    def _attempt(self, op: Operation, prepared: _Prepared) -> Any:
        if self._limiter is not None and (waited := self._limiter.acquire(op, prepared.fields)):
            self._waited(op, waited)
        signed = prepared.auth is not None
        hold = self._sequencer.hold(self._sequence_key) if signed and self._sequential else _NO_HOLD
        try:
            with hold:  # from signing (inside send) until the answer's headers are in
                prepared.sent_at = time.time()
                response = self._http.send(
                    prepared.request,
                    auth=prepared.auth,
                    stream=True,
                    follow_redirects=False if signed else self._http.follow_redirects,
                )
            read_body(response, self._max_response_bytes)
        except httpx.HTTPError as exc:
            raise self._transport_error(op, exc, prepared) from exc
        except (AnswerTooLarge, ValueError, zlib.error) as exc:
            raise self._oversize(op, exc, response, prepared) from exc
        return self._received(op, prepared, response)

    def close(self) -> None:
        """Close the connections this client opened (an injected ``http_client`` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncFacade(
    AsyncReconcile,
    AsyncMarkets,
    PerCallOptions,
    Observed,
    _Core[httpx.AsyncClient, httpx.AsyncBaseTransport],
):
    """Base of the asynchronous venue clients. Use ``async with`` to close connections."""

    def _new_client(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(**options)

    def _bounded_transport(self) -> httpx.AsyncBaseTransport:
        transport = httpx.AsyncHTTPTransport(verify=_default_tls())
        bound_transport(transport)
        return transport

    async def _acall(self, op: Operation, args: Mapping[str, Any]) -> Any:
        prepared = self._prepare(op, args)
        token = self._start(op, prepared)
        try:
            attempt = 0
            while True:
                try:
                    result = await self._attempt(op, prepared)
                except ExchangeError as error:
                    if self._limiter is not None:
                        await self._limiter.penalize_async(op, error)
                    await asyncio.sleep(self._after_failure(op, prepared, attempt, error))
                    attempt += 1
                else:
                    return self._succeeded(op, prepared, result)
        finally:
            DEADLINE.reset(token)

    async def _attempt(self, op: Operation, prepared: _Prepared) -> Any:
        if self._limiter is not None and (waited := await self._limiter.acquire_async(op, prepared.fields)):
            self._waited(op, waited)
        signed = prepared.auth is not None
        hold = self._sequencer.ahold(self._sequence_key) if signed and self._sequential else _NO_HOLD
        try:
            async with hold:  # from signing (inside send) until the answer's headers are in
                prepared.sent_at = time.time()
                response = await self._http.send(
                    prepared.request,
                    auth=prepared.auth,
                    stream=True,
                    follow_redirects=False if signed else self._http.follow_redirects,
                )
            await aread_body(response, self._max_response_bytes)
        except httpx.HTTPError as exc:
            raise self._transport_error(op, exc, prepared) from exc
        except (AnswerTooLarge, ValueError, zlib.error) as exc:
            raise self._oversize(op, exc, response, prepared) from exc
        return self._received(op, prepared, response)

    async def aclose(self) -> None:
        """Close the connections this client opened (an injected ``http_client`` stays open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

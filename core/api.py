"""The API's plumbing, shared by every app's endpoints: who is calling, how fast, and how refusals look.

- Auth: `Authorization: Bearer <token>` (core.tokens) for scripts, or the browser's session with CSRF
  enforced on every unsafe method. Both give `request.user`; a bad or missing key is 401.
- Limits: a request body over FABULA_API_MAX_BODY_BYTES is 413 before it is read (ninja runs auth
  first, so the check lives there); FABULA_API_RATE requests per token (or per session user) is 429.
- Errors: every refusal is `{"message", "details": {field: [messages]}}`, plus `version` on a 409 for
  a stale version. `install_error_handlers()` maps Django's and ninja's exceptions onto that shape;
  each app adds its own with `add_error()`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser as NinjaParser
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.throttling import SimpleRateThrottle

from core import tokens

ERROR_CODES = (400, 401, 403, 404, 409, 413, 429)


class ErrorOut(Schema):
    message: str
    details: dict[str, list[str]] = {}
    version: int | None = None  # 409 for a stale version: the story's current version
    pending: int | None = None  # 409 for pending suggestions: how many are left


def responses(ok: dict[int, object]) -> dict:
    """An operation's `response=`: its success codes plus every refusal, so the schema lists them all."""
    return {**ok, **dict.fromkeys(ERROR_CODES, ErrorOut)}


class BodyTooLarge(Exception):
    pass


def _check_body_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.FABULA_API_MAX_BODY_BYTES:
        raise BodyTooLarge(length)


Check = Callable[[object], bool]


def _allowed(user, check: Check | None, refusal: str):
    # Refused here, before ninja reads the body: a caller without the role learns nothing from
    # validation errors, and gets the same 403 whatever it sent.
    if check is not None and not check(user):
        raise PermissionDenied(refusal)
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer fab_…`: the token's user, with `request.api_token` set."""

    def __init__(self, check: Check | None = None, refusal: str = "") -> None:
        self.check, self.refusal = check, refusal
        super().__init__()

    def __call__(self, request: HttpRequest):
        _check_body_size(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        row = tokens.token_authenticate(token)
        if row is None:
            raise AuthenticationError(message="This API token is unknown or has been revoked.")
        request.user = row.user
        request.api_token = row
        return _allowed(row.user, self.check, self.refusal)


class BrowserSession(SessionAuth):
    """The logged-in browser session; ninja checks the CSRF token on unsafe methods."""

    def __init__(self, check: Check | None = None, refusal: str = "") -> None:
        self.check, self.refusal = check, refusal
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        _check_body_size(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        return None if user is None else _allowed(user, self.check, self.refusal)


def auth(check: Check | None = None, refusal: str = "") -> list:
    """A token or a session, whose user must pass `check` (else 403 with `refusal`)."""
    return [BearerToken(check, refusal), BrowserSession(check, refusal)]


AUTH = auth()


class TokenRateThrottle(SimpleRateThrottle):
    """FABULA_API_RATE ("600/min"; empty for none) per token, or per user for a browser session.

    The rate is read on every request, so settings overrides apply at once. Counts live in the default
    cache: give several server processes a shared cache (e.g. Redis) or each keeps its own count.
    """

    scope = "api"

    def __init__(self) -> None:
        super().__init__(rate=None)

    def get_rate(self) -> str | None:
        return settings.FABULA_API_RATE or None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "api_token", None)
        ident = f"token-{token.key_hash[:24]}" if token is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def error(
    api: NinjaAPI, request: HttpRequest, status: int, message: str, details: dict | None = None, **extra
) -> HttpResponse:
    body = {"message": message, "details": details or {}, **extra}
    return api.create_response(request, body, status=status)


def _messages(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        details = {
            field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
        }
        return "; ".join(f"{f}: {' '.join(m)}" for f, m in details.items()), details
    return " ".join(exc.messages), {}


def _field(loc: list) -> str:
    # ("body", "payload", "start") names the field "start"; ("query", "page") names "page".
    parts = [str(part) for part in loc]
    parts = (parts[2:] or parts[1:]) if parts and parts[0] == "body" else (parts[1:] or parts)
    return ".".join(parts) or "body"


def _validation(api: NinjaAPI, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for item in exc.errors:
        details.setdefault(_field(item.get("loc", [])), []).append(str(item.get("msg", "invalid")))
    lines = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in details.items())
    return error(api, request, 400, f"The request is not valid: {lines}", details)


def _http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja turns any failure to parse the body into "Cannot parse request body"; say what it was.
    cause = exc.__cause__
    if isinstance(cause, DjangoValidationError):
        message, details = _messages(cause)
        return error(api, request, 400, f"The request is not valid: {message}", details)
    if isinstance(cause, json.JSONDecodeError):
        where = f"line {cause.lineno}, column {cause.colno}"
        return error(api, request, 400, f"The body is not valid JSON ({cause.msg} at {where}).")
    if isinstance(cause, UnicodeDecodeError):
        return error(api, request, 400, "The body is not UTF-8 text; send JSON encoded as UTF-8.")
    return error(api, request, exc.status_code, str(exc))


def add_error(api: NinjaAPI, exc_class: type[Exception], status: int, extra=None) -> None:
    """Answer `exc_class` with `status`, its message, and `extra(exc)` (a dict) merged in."""

    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, DjangoValidationError):
            message, details = _messages(exc)
        else:
            message, details = str(exc), {}
        more = extra(exc) if extra else {}
        details = {**details, **more.pop("details", {})}
        return error(api, request, status, message, details, **more)

    api.add_exception_handler(exc_class, handler)


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(NinjaValidationError, lambda r, e: _validation(api, r, e))
    api.add_exception_handler(
        Throttled,
        lambda r, e: error(api, r, 429, f"Too many requests: the limit is {settings.FABULA_API_RATE}. "
                           "Wait and retry (see Retry-After)."),
    )  # fmt: skip
    api.add_exception_handler(
        AuthenticationError,
        lambda r, e: error(
            api, r, 401,
            e.message if e.message != "Unauthorized" else
            "Log in, or send `Authorization: Bearer <token>`; make a token on the My account page.",
        ),
    )  # fmt: skip
    api.add_exception_handler(HttpError, lambda r, e: _http_error(api, r, e))
    api.add_exception_handler(
        BodyTooLarge,
        lambda r, e: error(
            api, r, 413, f"The request body has {e.args[0]} bytes; the limit is "
            f"{settings.FABULA_API_MAX_BODY_BYTES}. Send fewer stories or spans per request.",
        ),
    )  # fmt: skip
    api.add_exception_handler(
        RequestDataTooBig, lambda r, e: error(api, r, 413, "The request body is too large.")
    )
    api.add_exception_handler(PermissionDenied, lambda r, e: error(api, r, 403, str(e) or "Forbidden."))
    api.add_exception_handler(Http404, lambda r, e: error(api, r, 404, str(e) or "Not found."))
    api.add_exception_handler(
        ObjectDoesNotExist, lambda r, e: error(api, r, 404, "That entity or character does not exist.")
    )
    add_error(api, DjangoValidationError, 400)


def _storable(value, where: str, problems: dict[str, list[str]]) -> None:
    """Collect every string in `value` (keys too) that no database can store: NUL, lone surrogates."""
    if isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where, problems)
            _storable(item, f"{where}.{key}" if where else str(key), problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _storable(item, f"{where}.{index}" if where else str(index), problems)
    elif isinstance(value, str):
        if "\x00" in value:
            problems.setdefault(where or "body", []).append(
                "Contains a NUL character (\\u0000), which text cannot hold; remove it."
            )
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems.setdefault(where or "body", []).append(
                    "Is not valid Unicode (a lone surrogate such as \\ud800); send UTF-8 text."
                )


class Parser(NinjaParser):
    """JSON bodies and query strings, refusing text no database stores (PostgreSQL refuses NUL, and a
    lone surrogate cannot be encoded) with a 400 that names the field, rather than a 500 later."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        problems: dict[str, list[str]] = {}
        _storable(data, "", problems)
        if problems:
            raise DjangoValidationError(problems)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        problems: dict[str, list[str]] = {}
        _storable(result, "", problems)
        if problems:
            raise DjangoValidationError(problems)
        return result


def paginate(rows, *, page: int, page_size: int) -> dict:
    """One page of `rows` (a queryset) as {count, page, page_size, pages, results}; past the end is empty."""
    count = rows.count()
    offset = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, -(-count // page_size)),
        "results": list(rows[offset : offset + page_size]) if offset < count else [],
    }

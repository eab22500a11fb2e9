"""Domain errors carry a stable snake_case code and the HTTP status that fits them.

Codes are ``StrEnum`` members, one enum per area, next to the code that raises them
(``domain/orders/errors.py``: ``OrderError.OUT_OF_STOCK`` …). A member is a ``str``, so the API's JSON and
every comparison see the plain code; tests refer to the members, never to string literals.
"""

from __future__ import annotations

from enum import StrEnum


class CommonError(StrEnum):
    """Codes that any area may give."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHORIZED = "unauthorized"
    INVALID = "invalid"
    INVALID_TEXT = "invalid_text"
    REASON_REQUIRED = "reason_required"  # a refusal or request that the other side must be told why
    RATE_LIMITED = "rate_limited"
    WECHAT_UNAVAILABLE = "wechat_unavailable"


class DomainError(Exception):
    status = 409
    code = "domain_error"

    def __init__(self, code: str | None = None, message: str = "", **details: object) -> None:
        if code:
            self.code = code
        self.message = message or self.code
        self.details = details
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """Missing, or not yours: both answer 404 so that ids reveal nothing."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    """A business rule refused: out_of_stock, already_bound, insufficient_balance…"""

    status = 409


class Invalid(DomainError):
    """Malformed or out-of-range input."""

    status = 422
    code = "invalid"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class ExternalServiceError(DomainError):
    """WeChat (or the sandbox) refused or could not be reached."""

    status = 502
    code = "wechat_unavailable"

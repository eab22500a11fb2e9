"""One way for every suite to say "this is refused with that code".

Domain calls::

    with refused(OrderError.OUT_OF_STOCK):
        place_order(...)

HTTP answers (TestClient or httpx)::

    refused(OrderError.OUT_OF_STOCK, response)             # any 4xx with that code
    refused(OrderError.OUT_OF_STOCK, response, status=409)  # and exactly that status
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from domain.errors import DomainError


def refused(code: str, response=None, *, status: int | None = None):
    if response is None:
        return _raises(code, status)
    body = response.json()
    assert 400 <= response.status_code < 500, f"expected a refusal, got {response.status_code}: {body}"
    if status is not None:
        assert response.status_code == status, f"expected {status}, got {response.status_code}: {body}"
    assert body["error"]["code"] == code, f"expected {code}, got {body['error']}"
    return body["error"]


@contextmanager
def _raises(code: str, status: int | None):
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value.message}"
    if status is not None:
        assert info.value.status == status, f"expected status {status}, got {info.value.status}"

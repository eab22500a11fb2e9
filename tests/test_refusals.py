from __future__ import annotations

import pytest

from domain.errors import CommonError, Conflict, NotFound
from tests.refusals import refused


class _Answer:
    def __init__(self, status_code: int, code: str):
        self.status_code, self._code = status_code, code

    def json(self):
        return {"error": {"code": self._code, "message": "…"}}


def test_refused_passes_only_on_the_named_code_and_status():
    with refused(CommonError.NOT_FOUND, status=404):
        raise NotFound(CommonError.NOT_FOUND, "没有")
    with pytest.raises(AssertionError), refused(CommonError.NOT_FOUND):
        raise Conflict("something_else", "别的")
    with pytest.raises(pytest.fail.Exception), refused(CommonError.NOT_FOUND):
        pass  # nothing was refused
    assert refused("out_of_stock", _Answer(409, "out_of_stock"), status=409)["code"] == "out_of_stock"
    with pytest.raises(AssertionError):
        refused("out_of_stock", _Answer(200, "out_of_stock"))
    with pytest.raises(AssertionError):
        refused("out_of_stock", _Answer(409, "out_of_stock"), status=422)

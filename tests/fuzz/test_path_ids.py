"""Every id in a path is bounded as the database's ids are (1 … 2³¹−1), so that an id no record can have answers
422 before any query runs, on PostgreSQL as on SQLite (the fuzz run found one that answered 500 there)."""

from __future__ import annotations

from backend.app import create_app
from backend.schemas.common import MAX_ID


def test_every_integer_path_parameter_is_a_bounded_id():
    unbounded = []
    for path, item in create_app().openapi()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["in"] == "path" and schema.get("type") == "integer" and (
                        schema.get("minimum") != 1 or schema.get("maximum") != MAX_ID):
                    unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []

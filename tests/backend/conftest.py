from __future__ import annotations

from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from tests.builders import make_staff


@pytest.fixture
def app(db, sandbox_url):
    """The real app; its per-request unit of work runs inside the test's rolled-back transaction."""
    from backend.app import create_app
    from backend.deps import get_session, unit_of_work_factory

    app = create_app()

    def test_session():
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[unit_of_work_factory] = lambda: lambda read_only=False: contextmanager(test_session)()
    return app


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def shopper(client):
    """Log a sandbox shopper in; returns (headers, user json)."""

    def login(name: str, **extra):
        res = client.post("/api/v1/auth/login", json={"code": f"sandbox-{name}", **extra})
        assert res.status_code == 200, res.text
        body = res.json()
        return {"Authorization": f"Bearer {body['token']}"}, body

    return login


@pytest.fixture
def staff_headers(client, db):
    def login(role: str):
        member = make_staff(db, role)
        res = client.post("/api/v1/admin/auth/login", json={"username": member.username, "password": "pass-word-123"})
        assert res.status_code == 200, res.text
        return {"Authorization": f"Bearer {res.json()['token']}"}

    return login

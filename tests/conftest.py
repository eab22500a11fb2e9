"""Test set-up shared by every suite.

The database is ``MALL_DATABASE_URL`` when set (CI sets PostgreSQL), else a fresh SQLite file. It is migrated
with Alembic once. Each test then runs inside a transaction that is rolled back (fixture ``db``); tests that
need real commits across processes use ``committed`` and the tables are emptied after them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline: the suites run side by side in CI (.ci/run), and a slow example on a busy machine is not a
# failure of the property.
hypothesis_settings.register_profile("mall", deadline=None)
hypothesis_settings.load_profile("mall")

_VAR = Path(tempfile.mkdtemp(prefix="mall-test-"))
_SANDBOX_PORT = None


def _configure_environment() -> None:
    from tests.support import free_port

    global _SANDBOX_PORT
    _SANDBOX_PORT = free_port()
    url = os.environ.get("MALL_DATABASE_URL") or f"sqlite:///{_VAR / 'test.db'}"
    if url.startswith("postgresql") and os.environ.get("MALL_TEST_DB_SUFFIX"):
        url = _private_postgres_database(url, os.environ["MALL_TEST_DB_SUFFIX"])
    os.environ.update({
        "MALL_DATABASE_URL": url,
        "MALL_VAR_DIR": str(_VAR),
        "MALL_WECHAT_MODE": "sandbox",
        "MALL_WECHAT_SANDBOX_URL": f"http://127.0.0.1:{_SANDBOX_PORT}/",
        "MALL_RATE_LIMIT_LOGIN_PER_MINUTE": "0",
        "MALL_RATE_LIMIT_BIND_PER_MINUTE": "0",
        "MALL_RATE_LIMIT_WITHDRAW_PER_MINUTE": "0",
        "MALL_RATE_LIMIT_STAFF_PAIR_FAILURES": "0",
        "MALL_RATE_LIMIT_STAFF_ACCOUNT_FAILURES": "0",
    })


def _private_postgres_database(url: str, suffix: str) -> str:
    """Use ``<db>_<suffix>`` on the same server, made if missing, so that parallel runs do not collide."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy import text as sql

    base = make_url(url)
    name = f"{base.database}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sql("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sql(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


_configure_environment()

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from domain import clock  # noqa: E402
from domain.config import get_config, reset_config  # noqa: E402
from domain.db import get_engine, get_sessionmaker, reset_engines  # noqa: E402
from domain.models import Base  # noqa: E402
from tests.support import running  # noqa: E402

reset_config()
reset_engines()


def is_postgres() -> bool:
    return get_config().resolved_database_url.startswith("postgresql")


requires_postgres = pytest.mark.skipif(
    not os.environ.get("MALL_DATABASE_URL", "").startswith("postgresql"),
    reason="needs PostgreSQL: set MALL_DATABASE_URL=postgresql+psycopg://… (CI always does)",
)


@pytest.fixture(scope="session", autouse=True)
def migrated_database():
    from domain.migrations.runner import upgrade

    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sandbox_url():
    url = get_config().wechat_sandbox_url
    with running(["sandbox", "--port", str(_SANDBOX_PORT)], url + "healthz", log_name="sandbox"):
        yield url


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@contextmanager
def rolled_back(engine):
    """A session inside a transaction that is rolled back at the end; its commits become savepoints."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def db(migrated_database):
    """Each test's session: everything it writes is rolled back afterwards."""
    with rolled_back(migrated_database) as session:
        yield session


@pytest.fixture
def committed(migrated_database):
    """Real commits (for other processes, threads and jobs); every table is emptied afterwards."""
    yield get_sessionmaker()
    truncate_all(migrated_database)


def truncate_all(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(scope="session")
def api_url(sandbox_url, migrated_database):
    """The real API as a separate process (two workers), on the test database, talking to the sandbox."""
    from tests.support import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"MALL_PUBLIC_URL": url}
    with running(["serve", "--port", str(port), "--workers", "2"], url + "/healthz", env=env, log_name="api"):
        yield url


@pytest.fixture(scope="session")
def api_url_v2(sandbox_url, migrated_database):
    """A second API process, as a merchant still on WeChat Pay v2 runs it (``MALL_WECHAT_PAY_API=v2``)."""
    from tests.support import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"MALL_PUBLIC_URL": url, "MALL_WECHAT_PAY_API": "v2"}
    with running(["serve", "--port", str(port), "--workers", "2"], url + "/healthz", env=env, log_name="api-v2"):
        yield url


@contextmanager
def _pay_api(monkeypatch, api: str):
    from domain.wechat import reset_wechat

    monkeypatch.setenv("MALL_WECHAT_PAY_API", api)
    reset_config()
    reset_wechat()
    try:
        yield api
    finally:
        monkeypatch.undo()
        reset_config()
        reset_wechat()


@pytest.fixture(params=["v3", "v2"])
def pay_api(request, monkeypatch):
    """Runs the test once per WeChat Pay API (in this process: the domain and the in-process ``client``); the
    sandbox speaks both at once. The whole suite also runs on either with ``MALL_WECHAT_PAY_API``."""
    with _pay_api(monkeypatch, request.param) as api:
        yield api


@pytest.fixture
def pay_v2(monkeypatch):
    """For tests of what only v2 does (its XML, 企业付款 paying at once)."""
    with _pay_api(monkeypatch, "v2") as api:
        yield api


@pytest.fixture
def pay_v3(monkeypatch):
    """For tests of what only v3 does (商家转账 awaiting confirmation, signed JSON)."""
    with _pay_api(monkeypatch, "v3") as api:
        yield api


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-protocol server (moto's server mode) for the whole run, started when a test first needs it."""
    from tests.objectstore import s3_server

    with s3_server() as url:
        yield url


@pytest.fixture
def s3_media(s3_endpoint, monkeypatch):
    """The media store of this test (and of the in-process API) is a fresh bucket on that server, its objects
    under ``mall/`` readable by anyone; yields ``(endpoint, bucket)``."""
    from tests.objectstore import new_bucket, store_env

    bucket = new_bucket(s3_endpoint, public_prefix="mall/")
    for name, value in store_env(s3_endpoint, bucket, prefix="mall").items():
        monkeypatch.setenv(name, value)
    reset_config()
    try:
        yield s3_endpoint, bucket
    finally:
        monkeypatch.undo()
        reset_config()


# CI (.ci/run) runs two slow suites once instead of on both databases, by setting these in one pass: the tests that
# drive Chromium (they draw the dashboard the same whatever the database; the AppTests run every screen on both) and
# the schemathesis run (kept in the PostgreSQL pass, the stricter database: it refuses what SQLite stores).
_SKIP_BROWSER = os.environ.get("MALL_TESTS_SKIP_BROWSER") == "1"
_SKIP_FUZZ = os.environ.get("MALL_TESTS_SKIP_FUZZ") == "1"


def pytest_collection_modifyitems(config, items):
    browser = pytest.mark.skip(reason="browser tests run in the other database's pass (MALL_TESTS_SKIP_BROWSER=1)")
    fuzz = pytest.mark.skip(reason="the schemathesis run is in the other database's pass (MALL_TESTS_SKIP_FUZZ=1)")
    for item in items:
        if _SKIP_BROWSER and item.nodeid.startswith("tests/dashboard/") and _drives_a_browser(item.module):
            item.add_marker(browser)
        if _SKIP_FUZZ and item.nodeid.startswith("tests/fuzz/test_schemathesis.py"):
            item.add_marker(fuzz)


def _drives_a_browser(module) -> bool:
    """The test module uses tests/dashboard/browser.py (Playwright on Chromium)."""
    return any(getattr(value, "__module__", None) == "tests.dashboard.browser" for value in vars(module).values())

"""Alembic serves both databases: the migrations build exactly the models, and go down and up again."""

from __future__ import annotations

import os
import tempfile

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from domain.config import get_config
from domain.migrations.runner import downgrade, upgrade
from domain.models import Base


def test_the_migrated_schema_matches_the_models(migrated_database):
    with migrated_database.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def scratch_url() -> str:
    url = get_config().resolved_database_url
    if not url.startswith("postgresql"):
        return f"sqlite:///{tempfile.mkdtemp()}/scratch.db"
    base = make_url(url)
    name = f"{base.database}_migrations_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_scratch(url: str) -> None:
    if url.startswith("postgresql"):
        base = make_url(url)
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_downgrade_upgrade_on_an_empty_database():
    url = scratch_url()
    engine = create_engine(url)
    try:
        upgrade(url)
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        downgrade(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()
        drop_scratch(url)

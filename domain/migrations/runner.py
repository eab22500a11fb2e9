"""Alembic, driven from code: ``python -m backend migrate`` and the test suites call ``upgrade()``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from domain.config import get_config

HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url or get_config().resolved_database_url)
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def autogenerate(message: str, url: str, rev_id: str | None = None) -> None:
    """Developer tool: write a new revision from the models' difference to ``url``'s schema."""
    command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)

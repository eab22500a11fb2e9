"""Consistent snapshots: SQLite's online backup API, or ``pg_dump``; ``restore`` brings one back.
The newest ``MALL_BACKUP_KEEP`` snapshots are kept."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url

from domain import clock
from domain.config import get_config
from domain.db import reset_engines


def backup_dir() -> Path:
    path = get_config().var_dir / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_backup() -> Path:
    config = get_config()
    url = make_url(config.resolved_database_url)
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M%S-%f")
    if url.get_backend_name() == "sqlite":
        target = backup_dir() / f"mall-{stamp}.sqlite3"
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # a consistent copy even while the shop is running
        finally:
            dest.close()
            source.close()
    else:
        target = backup_dir() / f"mall-{stamp}.pgdump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)], check=True)
    _prune(config.backup_keep)
    return target


def restore_backup(file: str | Path) -> None:
    path = Path(file)
    if not path.exists():
        raise FileNotFoundError(path)
    url = make_url(get_config().resolved_database_url)
    reset_engines()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        dest = sqlite3.connect(url.database)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}", str(path)],
                       check=True)


def list_backups() -> list[Path]:
    return sorted(backup_dir().glob("mall-*"), reverse=True)


def _prune(keep: int) -> None:
    for old in list_backups()[max(keep, 1):]:
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)

"""Consistent snapshots: SQLite's online backup API, or ``pg_dump``; ``restore`` brings one back.

A snapshot holds every shopper's personal data, so it is written encrypted with the data key and readable by
the owner only: the folder is ``0700`` and each file ``0600``. The plain dump exists only for the moment of
dumping, in that private folder. No password ever appears on a command line: ``pg_dump`` and ``pg_restore`` get
it as ``PGPASSWORD`` in their environment. The newest ``MALL_BACKUP_KEEP`` snapshots are kept.

The file format (see docs/security.md, "Backups"): ``MALLBAK1`` + an 8-byte random prefix, then chunks of at
most 1 MiB, each ``length (4 bytes) + AES-256-GCM(chunk)``. Chunk *i* uses the nonce ``prefix + i`` and the
associated data ``i + last-flag``, so a chunk cannot be swapped, replayed or cut off without the restore
refusing the file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import URL, make_url

from domain import clock
from domain.config import get_config
from domain.db import reset_engines

MAGIC = b"MALLBAK1"
CHUNK = 1024 * 1024
SUFFIX = ".enc"


class BackupError(Exception):
    """The file is not a snapshot made with this data key, or it was damaged."""


def backup_dir() -> Path:
    path = get_config().var_dir / "backups"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def make_backup() -> Path:
    config = get_config()
    url = make_url(config.resolved_database_url)
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M%S-%f")
    kind = "sqlite3" if url.get_backend_name() == "sqlite" else "pgdump"
    folder = backup_dir()
    plain = folder / f".dump-{stamp}.{kind}"
    target = folder / f"mall-{stamp}.{kind}{SUFFIX}"
    try:
        _private_file(plain)
        if kind == "sqlite3":
            _sqlite_copy(url.database, plain)  # a consistent copy even while the shop is running
        else:
            args, env = pg_command("pg_dump", url, "--format=custom", "--no-owner", f"--file={plain}")
            subprocess.run(args, env=env, check=True)
        _private_file(target)
        with open(plain, "rb") as source, open(target, "wb") as sink:
            for block in encrypt_stream(source, _backup_key()):
                sink.write(block)
    finally:
        plain.unlink(missing_ok=True)
    _prune(config.backup_keep)
    return target


def restore_backup(file: str | Path) -> None:
    path = Path(file)
    if not path.exists():
        raise FileNotFoundError(path)
    url = make_url(get_config().resolved_database_url)
    plain = backup_dir() / f".restore-{os.getpid()}"
    try:
        _private_file(plain)
        with open(path, "rb") as source, open(plain, "wb") as sink:
            for block in decrypt_stream(source, _backup_key()):
                sink.write(block)
        reset_engines()
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(plain, url.database)
        else:
            args, env = pg_command("pg_restore", url, "--clean", "--if-exists", "--no-owner", str(plain))
            subprocess.run(args, env=env, check=True)
    finally:
        plain.unlink(missing_ok=True)


def pg_command(program: str, url: URL, *options: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment for ``pg_dump`` / ``pg_restore``: the password only in the environment."""
    args = [program, *options]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args.append(f"{flag}={value}")
    args.append(f"--dbname={url.database}")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def list_backups() -> list[Path]:
    return sorted(backup_dir().glob("mall-*"), reverse=True)


def encrypt_stream(source, key: bytes) -> Iterator[bytes]:
    aead = AESGCM(key)
    prefix = os.urandom(8)
    yield MAGIC + prefix
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(prefix + struct.pack(">I", index), chunk, _aad(index, last))
        yield struct.pack(">I", len(sealed)) + sealed
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source, key: bytes) -> Iterator[bytes]:
    header = source.read(len(MAGIC) + 8)
    if len(header) != len(MAGIC) + 8 or not header.startswith(MAGIC):
        raise BackupError("not an encrypted snapshot of this shop")
    aead, prefix, index = AESGCM(key), header[len(MAGIC):], 0
    while True:
        size = source.read(4)
        if len(size) != 4:
            raise BackupError("the snapshot is cut off")
        sealed = source.read(struct.unpack(">I", size)[0])
        last = source.peek(1) == b"" if hasattr(source, "peek") else _at_end(source)
        try:
            yield aead.decrypt(prefix + struct.pack(">I", index), sealed, _aad(index, last))
        except InvalidTag as exc:
            raise BackupError("the snapshot is damaged or was made with another data key") from exc
        if last:
            return
        index += 1


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">I?", index, last)


def _at_end(source) -> bool:
    here = source.tell()
    end = source.read(1) == b""
    source.seek(here)
    return end


def _backup_key() -> bytes:
    return hmac.new(get_config().data_key_bytes(), b"mall/backup", hashlib.sha256).digest()


def _private_file(path: Path) -> None:
    """Create (or truncate) a file that only the owner can read, before anything is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    path.chmod(0o600)


def _sqlite_copy(source_path, dest_path) -> None:
    source = sqlite3.connect(source_path)
    dest = sqlite3.connect(dest_path)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def _prune(keep: int) -> None:
    for old in list_backups()[max(keep, 1):]:
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()

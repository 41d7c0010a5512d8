"""Encrypted online backups of the embedded SQLite database (`tsunagari backup` / `tsunagari restore`).

The copy is taken with SQLite's online backup API, so the server and the worker may keep running. The file
is encrypted with a Fernet key the operator gives (TSUNAGARI_BACKUP_KEY or --key-file): a sequence of
numbered chunks, each its own Fernet token, then a numbered end mark, so that a cut, reordered or altered
file is refused rather than restored half. PostgreSQL is backed up with pg_dump (docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"TSUNAGARI-SQLITE-BACKUP 1\n"
CHUNK = 4 * 1024 * 1024
HEADER = ">QB"  # chunk number, and 1 on the end mark


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


def backup_key(key_file: str | None) -> Fernet:
    text = (
        Path(key_file).read_text().strip() if key_file else os.environ.get("TSUNAGARI_BACKUP_KEY", "").strip()
    )
    if not text:
        raise BackupError(
            "A backup key is required: set TSUNAGARI_BACKUP_KEY or pass --key-file "
            "(make one with `tsunagari generate-key` and keep it apart from the backups)."
        )
    try:
        return Fernet(text.encode())
    except ValueError as error:
        raise BackupError(
            "The backup key must be a Fernet key (`tsunagari generate-key` makes one)."
        ) from error


@contextmanager
def _private_temp(directory: Path) -> Iterator[Path]:
    """A scratch file readable only by its owner, beside the database (not in a shared /tmp)."""
    fd, name = tempfile.mkstemp(dir=directory, prefix=".tsunagari-", suffix=".tmp")
    os.close(fd)
    os.chmod(name, 0o600)
    try:
        yield Path(name)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def backup(*, database: Path, out: Path, key: Fernet) -> int:
    """Write an encrypted copy of ``database`` to ``out``; return its size in bytes."""
    if not _has_tables(database):
        raise BackupError(f"No database to back up at {database}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    with _private_temp(database.parent) as plain, _private_temp(out.parent) as partial:
        _copy(database, plain)
        with plain.open("rb") as src, partial.open("wb") as dst:
            dst.write(MAGIC)
            index = 0
            while data := src.read(CHUNK):
                _write_token(dst, key.encrypt(struct.pack(HEADER, index, 0) + data))
                index += 1
            _write_token(dst, key.encrypt(struct.pack(HEADER, index, 1)))
        os.replace(partial, out)
    return out.stat().st_size


def _write_token(dst, token: bytes) -> None:  # type: ignore[no-untyped-def]
    dst.write(struct.pack(">I", len(token)))
    dst.write(token)


def restore(*, source: Path, database: Path, key: Fernet, force: bool = False) -> None:
    """Replace ``database`` with the backup in ``source`` (refused over a database in use unless
    ``force``). The copy goes in through SQLite's backup API, page by page under SQLite's locks."""
    if _has_tables(database) and not force:
        raise BackupError(
            f"{database} already holds a database. Stop the server and the worker, then run again with "
            "--force to overwrite it."
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    with _private_temp(database.parent) as plain:
        with source.open("rb") as src, plain.open("wb") as dst:
            if src.read(len(MAGIC)) != MAGIC:
                raise BackupError(f"{source} is not a Tsunagari backup.")
            index = 0
            while True:
                header = src.read(4)
                if len(header) < 4:
                    raise BackupError(f"{source} is cut short: the backup is incomplete.")
                token = src.read(struct.unpack(">I", header)[0])
                try:
                    chunk = key.decrypt(token)
                except InvalidToken as error:
                    raise BackupError(
                        f"{source} cannot be read with this key (wrong key or altered file)."
                    ) from error
                size = struct.calcsize(HEADER)
                number, is_end = struct.unpack(HEADER, chunk[:size])
                if number != index:
                    raise BackupError(f"{source} has its parts out of order: altered file.")
                if is_end:
                    if src.read(1):
                        raise BackupError(f"{source} has data after its end: altered file.")
                    break
                dst.write(chunk[size:])
                index += 1
        with closing(sqlite3.connect(plain)) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} decrypts to a damaged database.")
        _copy(plain, database)

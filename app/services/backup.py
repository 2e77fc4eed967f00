"""Backups of the live database, and restores into a fresh one (docs/backup.md).

SQLite: the online backup API copies the database in one step, that is in one read
transaction: a consistent snapshot of what was committed, taken while the server keeps
writing (in WAL mode writers never wait for a reader, nor the reader for them).
PostgreSQL: pg_dump's custom format (itself one consistent snapshot), restored with
pg_restore. The URL's password reaches the tools through PGPASSWORD, never through an
argument (any local user can read arguments in `ps`) and never in a message.

A restore only ever writes into a database without tables: it must never be able to
overwrite live data, whatever URL an operator types.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
# Relations that make a PostgreSQL database "not fresh": tables (plain, partitioned,
# foreign), views, materialised views and sequences.
_PG_RELATIONS = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
"""


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    kind: str  # "sqlite" or "postgresql"


def backup(url: str | URL, output: Path | None = None, directory: Path | None = None,
           now: datetime | None = None) -> Backup:
    """Back the database at `url` up into `output`, or a timestamped file in
    `directory`. The file appears complete or not at all, readable by its owner only
    (it holds personal data)."""
    url = make_url(url)
    kind = _kind_of(url)
    if output is None:
        if directory is None:
            raise BackupError("give an output file or a directory for backups")
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
        output = directory / f"saiping-{stamp}{'.sqlite' if kind == 'sqlite' else '.dump'}"
    if output.exists():
        raise BackupError(f"{output} already exists; a backup never overwrites a file")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    partial.unlink(missing_ok=True)  # left by a backup that was killed
    # Made empty and private first, so no other user can read it while it fills (an
    # empty file is an empty SQLite database; pg_dump truncates it).
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _pg_dump(url, partial)
        _publish(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(output, output.stat().st_size, kind)


def _publish(partial: Path, output: Path) -> None:
    """Give the finished file its name, unless something took that name meanwhile."""
    try:
        os.link(partial, output)  # unlike rename, never replaces an existing file
    except FileExistsError:
        raise BackupError(f"{output} already exists; a backup never overwrites a file"
                          ) from None
    except OSError:  # a file system without hard links
        if output.exists():
            raise BackupError(f"{output} already exists; a backup never overwrites a file"
                              ) from None
        partial.rename(output)


def restore(path: Path, into: str | URL, base: Path | None = None) -> str:
    """Restore the backup at `path` into the database at `into`, which must have no
    tables. A relative SQLite path is taken from `base` (the app's instance folder, as
    for DATABASE_URL). Returns where it went, without any password."""
    url = make_url(into)
    kind = _kind_of(url)
    found = backup_kind(path)
    if found != kind:
        raise BackupError(f"{path} is a {found} backup; it cannot be restored into a "
                          f"{kind} database")
    if kind == "sqlite":
        target = _sqlite_path(url, base)
        _sqlite_restore(path, target)
        return str(target)
    _pg_restore(path, url)
    return url.render_as_string(hide_password=True)


def backup_kind(path: Path) -> str:
    """"sqlite" or "postgresql", from the file's first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a backup: neither a SQLite database nor a pg_dump "
                      "custom-format archive")


def human_size(size: int) -> str:
    """"512 bytes", or "3.4 MB, 3,565,158 bytes"."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}, {size:,} bytes"


# ------------------------------------------------------------------ SQLite


def _kind_of(url: URL) -> str:
    backend = url.get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"unsupported database {backend!r}: use sqlite or postgresql")


def _sqlite_path(url: URL, base: Path | None = None) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        raise BackupError("an in-memory SQLite database has no file to back up or restore")
    if database.startswith("file:"):
        raise BackupError("use sqlite:///path, not a file: URI")
    path = Path(database)
    if not path.is_absolute() and base is not None:
        path = base / path
    return path.resolve()


def _open(path: Path, mode: str) -> sqlite3.Connection:
    # A URI, so that a mistyped path is an error instead of a new, empty database.
    return sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, timeout=30)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    try:
        src = _open(source, "rw")  # reading a WAL database may need to write its -shm
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)  # pages=-1: all of it in one step, one snapshot
                # The copy inherits WAL mode; a backup is better one self-contained file.
                dst.execute("PRAGMA journal_mode=DELETE")
                _check(dst, f"the backup of {source}")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup of {source} failed: {error}") from None


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    try:
        src = _open(backup_file.resolve(), "ro")
        try:
            _check(src, str(backup_file))
            if target.exists():
                tables = _sqlite_tables(target)
                if tables:
                    raise BackupError(
                        f"{target} already has {tables} tables: restore only into a new "
                        "database, never over one that may hold live data")
            target.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                _check(dst, str(target))
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore into {target} failed: {error}") from None


def _sqlite_tables(path: Path) -> int:
    conn = _open(path, "ro")
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        return int(row[0])
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed its integrity check: {result}")


# ------------------------------------------------------------------ PostgreSQL


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    # Made anew: URL.set(password=None) would leave the password in place.
    uri = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                     database=url.database, query=url.query).render_as_string(
        hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return uri, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools of "
                          "the server's major version (Debian: apt-get install "
                          "postgresql-client)")
    return found


def _run(url: URL, args: list[str], env: dict[str, str]) -> None:
    name = Path(args[0]).name
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True,  # noqa: S603
                              check=False)
    except OSError as error:
        raise BackupError(f"{name} could not run: {error.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.strip() or done.stdout.strip() or "no message"
        raise BackupError(f"{name} failed (exit {done.returncode}): {_redact(message, url)}")


def _redact(text: str, url: URL) -> str:
    return text.replace(str(url.password), "***") if url.password else text


def _pg_dump(url: URL, target: Path) -> None:
    uri, env = _libpq(url)
    # --no-password: fail at once instead of waiting for a password at a prompt.
    _run(url, [_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}",
               f"--dbname={uri}"], env)


def _pg_restore(backup_file: Path, url: URL) -> None:
    tool = _tool("pg_restore")
    uri, env = _libpq(url)
    relations = _pg_relations(url, uri)
    if relations:
        raise BackupError(
            f"the database {url.database!r} already has {relations} tables, views or "
            "sequences: restore only into a new, empty database (createdb), never over one "
            "that may hold live data")
    # One transaction: a failed restore leaves the database empty, ready for another try.
    # Objects belong to the restoring role, so the source's roles need not exist here.
    _run(url, [tool, "--no-password", "--exit-on-error", "--single-transaction",
               "--no-owner", "--no-privileges", f"--dbname={uri}", str(backup_file)], env)


def _pg_relations(url: URL, uri: str) -> int:
    import psycopg

    try:
        with psycopg.connect(uri, password=url.password, connect_timeout=10) as conn:
            row = conn.execute(_PG_RELATIONS).fetchone()
    except psycopg.Error as error:
        raise BackupError(f"cannot open the target database {url.database!r} (create it "
                          f"first, empty): {_redact(str(error).strip(), url)}") from None
    return int(row[0]) if row else 0

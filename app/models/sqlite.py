"""SQLite settings: foreign keys on, WAL for concurrent readers, a busy timeout, and
transactions that SQLAlchemy begins itself, so a write use case can ask for
BEGIN IMMEDIATE (take the write lock first, never fail half-way with "database is
locked" when two writers meet).
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Execution option a service sets on its connection to begin with the write lock.
IMMEDIATE = {"sqlite_begin": "IMMEDIATE"}

_installed = False


def _is_sqlite(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__ == "sqlite3"


def enable_sqlite_pragmas() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if not _is_sqlite(dbapi_connection):
            return
        # pysqlite's own implicit BEGIN is off; the "begin" hook below emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(Engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.dialect.name != "sqlite":
            return
        if connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            # Only an in-memory database shares one connection between sessions (tests);
            # there the second session joins the open transaction, as pysqlite would.
            return
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

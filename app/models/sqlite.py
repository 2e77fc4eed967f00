"""SQLite settings: foreign keys on, WAL for concurrent readers, a busy timeout."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def enable_sqlite_pragmas() -> None:
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if type(dbapi_connection).__module__ != "sqlite3":
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

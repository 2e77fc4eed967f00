"""The migrations on PostgreSQL, as an operator runs them: `flask db upgrade` on an empty
database reaches head, and the schema it makes is the models' (autogenerate finds nothing
to do); the evidence tables refuse changes in the database itself; `flask db downgrade
base` removes everything, and upgrading again works.

tests/test_migrations.py does the same on SQLite. The commands run in a subprocess:
alembic's env.py reconfigures logging, which must not leak into this pytest process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url

import app.models  # noqa: F401  (every model registers its table on the metadata)
from app.models.base import Base

ROOT = Path(__file__).resolve().parents[2]
APPEND_ONLY = ("audit_event", "mark_version", "module_lock_event")

pytestmark = pytest.mark.timeout(300)


def flask(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migration-test-secret-key"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def schema_differences(database_url: str) -> list[object]:
    """What `flask db migrate` would write: the models against the migrated schema."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def query(database_url: str, statement: str) -> list[tuple[Any, ...]]:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with closing(psycopg.connect(dsn)) as conn:
        return conn.execute(statement).fetchall()


def head() -> str:
    heads = ScriptDirectory(str(ROOT / "migrations")).get_heads()
    assert len(heads) == 1, heads
    return heads[0]


def public_objects(database_url: str) -> dict[str, list[str]]:
    """Tables, sequences, functions and types a migration left in the public schema."""
    return {
        "tables": [r[0] for r in query(database_url, "SELECT tablename FROM pg_tables "
                                       "WHERE schemaname = 'public' ORDER BY 1")],
        "sequences": [r[0] for r in query(database_url, "SELECT sequencename FROM pg_sequences "
                                          "WHERE schemaname = 'public' ORDER BY 1")],
        "functions": [r[0] for r in query(database_url, "SELECT p.proname FROM pg_proc p JOIN "
                                          "pg_namespace n ON n.oid = p.pronamespace "
                                          "WHERE n.nspname = 'public' ORDER BY 1")],
        "types": [r[0] for r in query(database_url, "SELECT t.typname FROM pg_type t JOIN "
                                      "pg_namespace n ON n.oid = t.typnamespace WHERE "
                                      "n.nspname = 'public' AND t.typtype IN ('e', 'd') "
                                      "ORDER BY 1")],
    }


def test_upgrade_reaches_head_and_matches_the_models(
        fresh_postgres_database: Callable[[], str]) -> None:
    url = fresh_postgres_database()
    flask(url, "db", "upgrade")
    assert query(url, "SELECT version_num FROM alembic_version") == [(head(),)]
    assert schema_differences(url) == []
    tables = set(public_objects(url)["tables"])
    assert tables == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}


def test_the_evidence_tables_refuse_changes_in_the_database(
        fresh_postgres_database: Callable[[], str]) -> None:
    url = fresh_postgres_database()
    flask(url, "db", "upgrade")
    triggers = query(url, "SELECT c.relname, t.tgenabled FROM pg_trigger t "
                          "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                          "ORDER BY 1")
    assert triggers == [(table, "O") for table in APPEND_ONLY]  # "O": enabled
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with closing(psycopg.connect(dsn, autocommit=True)) as conn:
        conn.execute("INSERT INTO audit_event (at, action, entity, details) "
                     "VALUES (now(), 'test', 'none', '{}')")
        for change in ("UPDATE audit_event SET action = 'edited'", "DELETE FROM audit_event"):
            with pytest.raises(psycopg.errors.RaiseException, match="audit_event is append-only"):
                conn.execute(change)
        assert conn.execute("SELECT action FROM audit_event").fetchall() == [("test",)]


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(
        fresh_postgres_database: Callable[[], str]) -> None:
    url = fresh_postgres_database()
    flask(url, "db", "upgrade")
    flask(url, "db", "downgrade", "base")
    assert query(url, "SELECT version_num FROM alembic_version") == []
    assert public_objects(url) == {
        "tables": ["alembic_version"], "sequences": [], "functions": [], "types": []}
    flask(url, "db", "upgrade")
    assert query(url, "SELECT version_num FROM alembic_version") == [(head(),)]
    assert schema_differences(url) == []

"""duplicate_field: which column a UNIQUE violation is about, as PostgreSQL reports it
(constraint and table names in `diag`) and as SQLite does (in the message)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError

from app.services.errors import duplicate_field


class _PgError(Exception):
    def __init__(self, table: str, constraint: str) -> None:
        super().__init__("duplicate key value violates unique constraint")
        self.diag = SimpleNamespace(constraint_name=constraint, table_name=table,
                                    column_name=None)


def pg(table: str, constraint: str) -> IntegrityError:
    return IntegrityError("INSERT", {}, _PgError(table, constraint))


def test_postgresql_names_resolve_to_the_constraints_last_column() -> None:
    # The name ends in "hash", the column is id_hash: only the metadata can tell.
    assert duplicate_field(pg("competitor", "uq_competitor_competition_id_id_hash")) == "id_hash"
    assert duplicate_field(pg("judge", "uq_judge_user_id")) == "user_id"
    # A unique index, not a constraint: one current promotion decision per competitor.
    assert duplicate_field(pg("promotion", "uq_promotion_current")) == "competitor_id"
    assert duplicate_field(pg("competitor", "no_such_constraint")) is None


def test_sqlite_messages_name_the_column() -> None:
    error = IntegrityError("INSERT", {}, Exception(
        "UNIQUE constraint failed: competitor.competition_id, competitor.id_hash"))
    assert duplicate_field(error) == "id_hash"
    assert duplicate_field(IntegrityError("INSERT", {}, Exception("NOT NULL failed"))) is None

"""Errors a use case reports to its caller, with a stable code and the field it concerns."""

from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from app.models.base import Base


class ServiceError(ValueError):
    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


def duplicate_field(error: IntegrityError) -> str | None:
    """The column a UNIQUE violation is about, on SQLite and PostgreSQL alike: the last
    of the constraint's columns, the one the user typed (the first is usually the
    competition or project).

    SQLite says "UNIQUE constraint failed: t.a, t.b". PostgreSQL names the table and the
    constraint; the models' metadata knows its columns. (The name alone cannot say:
    "uq_competitor_competition_id_id_hash" ends in "id_hash", not "hash".)
    """
    orig = error.orig
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) if diag else None
    if constraint:
        return getattr(diag, "column_name", None) \
            or _constraint_column(getattr(diag, "table_name", None), str(constraint))
    message = str(orig)
    if "UNIQUE constraint failed:" in message:
        return message.rsplit(".", 1)[-1].strip()
    return None


def _constraint_column(table_name: str | None, constraint: str) -> str | None:
    table = Base.metadata.tables.get(table_name or "")
    if table is None:
        return None
    uniques: list[ColumnCollectionConstraint | Index] = [
        c for c in table.constraints if isinstance(c, ColumnCollectionConstraint)]
    for unique in [*uniques, *table.indexes]:
        if unique.name == constraint:
            columns = list(unique.columns)
            return columns[-1].name if columns else None
    return None

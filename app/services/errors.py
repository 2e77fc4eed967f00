"""Errors a use case reports to its caller, with a stable code and the field it concerns."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


class ServiceError(ValueError):
    def __init__(self, code: str, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


def duplicate_field(error: IntegrityError) -> str | None:
    """The column a UNIQUE violation is about, on SQLite and PostgreSQL alike.

    SQLite says "UNIQUE constraint failed: t.a, t.b"; PostgreSQL names the constraint,
    whose name follows the naming convention "uq_<table>_<col>_<col>". The last column
    is the one the user typed (the first is usually the competition or project).
    """
    orig = error.orig
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) if diag else None
    if constraint:
        column = getattr(diag, "column_name", None)
        return column or str(constraint).rsplit("_", 1)[-1]
    message = str(orig)
    if "UNIQUE constraint failed:" in message:
        return message.rsplit(".", 1)[-1].strip()
    return None

"""The start of a use case that writes."""

from __future__ import annotations

from app.extensions import db
from app.models.sqlite import IMMEDIATE


def begin_write() -> None:
    """Start this use case's own transaction with the write lock taken first (BEGIN
    IMMEDIATE on SQLite; PostgreSQL services lock the rows they change), so nothing slips
    in between a check and the change it allows. What the session held is rolled back."""
    db.session.rollback()
    db.session.connection(execution_options=IMMEDIATE)

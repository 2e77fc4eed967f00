"""The organiser audit log: one row per action, written in the action's transaction."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from app.extensions import db
from app.models import AuditEvent


def record(action: str, entity: object, competition_id: int | None = None,
           **details: Any) -> None:
    """Add an audit row to the current transaction; the caller commits."""
    db.session.flush()  # so a new entity has its id
    if competition_id is None and getattr(entity, "__tablename__", "") == "competition":
        competition_id = getattr(entity, "id", None)
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(
        AuditEvent(
            user_id=user_id,
            competition_id=competition_id,
            action=action,
            entity=type(entity).__tablename__ if hasattr(entity, "__tablename__") else str(entity),
            entity_id=getattr(entity, "id", None),
            details={k: _plain(v) for k, v in details.items()},
        )
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)

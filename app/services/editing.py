"""The one way organiser edits are saved: set fields, audit what changed, commit once."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.services.audit import record
from app.services.errors import ServiceError, duplicate_field

T = TypeVar("T")

# Never copied into the audit log: the log says that they changed, not what they are.
PROTECTED_COLUMNS = {"id_hash", "id_cipher", "password_hash", "token_hash"}


def save(entity: T, values: dict[str, Any], *, competition_id: int | None,
         action: str | None = None, extra_changes: dict[str, Any] | None = None) -> T:
    """Apply `values` to `entity` (new or existing), audit the change, commit.

    `extra_changes` are changes the caller already made to related rows (a project's
    divisions, say): they are audited and committed with the rest.

    A UNIQUE violation becomes ServiceError("duplicate", field) and nothing is stored.
    """
    is_new = getattr(entity, "id", None) is None
    changes: dict[str, Any] = dict(extra_changes or {})
    for key, value in values.items():
        old = None if is_new else getattr(entity, key)
        if is_new or old != value:
            changes[key] = "(protected)" if key in PROTECTED_COLUMNS else [old, value]
            setattr(entity, key, value)
    if not changes:
        return entity
    db.session.add(entity)
    try:
        record(action or ("create" if is_new else "update"), entity,
               competition_id=competition_id, changes=changes)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise ServiceError("duplicate", duplicate_field(error)) from None
    return entity


def delete(entity: Any, *, competition_id: int | None) -> None:
    """Delete a row, audited. A row still referenced elsewhere is refused, not cascaded."""
    record("delete", entity, competition_id=competition_id,
           snapshot={c.key: getattr(entity, c.key) for c in entity.__table__.columns
                     if c.key not in ("id_hash", "id_cipher")})
    db.session.delete(entity)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("in_use") from None

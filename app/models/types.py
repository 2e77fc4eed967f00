"""Column helpers shared by the models."""

from enum import Enum

from sqlalchemy import Enum as SAEnum


def enum_column(enum_cls: type[Enum], length: int = 32) -> SAEnum:
    """Store an enum by its value as plain VARCHAR, the same on SQLite and PostgreSQL."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )

"""What an import did, or would do: counts, bad rows, the first rows to be stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.domain.sheets import RowError

SAMPLE_SIZE = 20


@dataclass
class Outcome:
    errors: list[RowError] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # marking schemes only: modules and aspects the file no longer has
    sample: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Why nothing at all can be imported (e.g. the scheme is active), with its params.
    blocked: tuple[str, dict[str, Any]] | None = None

    @property
    def bad(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def changes(self) -> int:
        return self.new + self.updated + self.removed

    def count(self, status: str, shown: dict[str, Any]) -> None:
        """Count one stored row as new, updated or unchanged, and keep it as a sample."""
        setattr(self, status, getattr(self, status) + 1)
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append({"status": status, **shown})

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "removed": self.removed, "bad": self.bad}


def status_of(created: bool, changed: bool) -> str:
    return "new" if created else "updated" if changed else "unchanged"


def assign(row: object, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did. Equal values are left untouched,
    so re-importing a file writes nothing."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed

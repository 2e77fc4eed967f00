"""The demo competition (seeded, deterministic) and its logins. Filled in by seed-demo."""

from __future__ import annotations

from app.config import INSTANCE_DIR

LOGINS_FILE = INSTANCE_DIR / "demo_logins.txt"


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) rows written by seed-demo, if it has run here."""
    if not LOGINS_FILE.exists():
        return []
    rows = []
    for line in LOGINS_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((parts[0], parts[1], parts[2]))
    return rows


def seed_demo(if_empty: bool = False) -> str:
    """Placeholder until the demo generator lands: creates nothing yet."""
    return "demo data: not implemented yet"

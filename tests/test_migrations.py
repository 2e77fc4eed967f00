"""`flask db upgrade` on an empty database, then `flask db check`: models and migrations agree."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def flask(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migration-test-secret-key"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_upgrade_then_check_on_empty_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    upgrade = flask("db", "upgrade", database_url=url)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", database_url=url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_migration_files_are_date_prefixed() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names
    assert all(n[:8].isdigit() and n[8] == "_" for n in names), names

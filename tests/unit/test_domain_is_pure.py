"""app/domain holds the rules only: it must not import the web, the ORM or I/O layers."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "app.models", "app.services", "app.realtime",
             "app.web", "requests", "socketio")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_modules_import_nothing_impure() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 3
    offenders = {
        f.name: sorted(m for m in imported_modules(f) if m.startswith(FORBIDDEN))
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}

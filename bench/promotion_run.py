"""Time 以赛代评 on the 400-competitor demo: the engine, a rerun, approval, certificates.

    python bench/promotion_run.py

Seeds the demo (32 projects, 398 competitors) into a temporary SQLite database migrated
as `flask db upgrade` does, stores a complete set of marks the way
bench/results_compute.py does, refreshes every competitor's totals, then makes the
results promotable as an event would: every module signed off, results published, each
project ended three hours ago. Then it times, once each (they change the database):

- the first engine run (every competitor decided);
- a rerun with nothing changed (must write nothing: the summary says how many);
- approving every proposal, and issuing every certificate (numbers drawn one by one).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import select, update

from app.domain.vocabulary import UserRole
from app.extensions import db
from app.models import Competition, Competitor, Module, SkillProject
from app.models.base import utcnow
from app.services import accounts, certificates, demo, promotion, results
from bench.results_compute import make_app, store_marks


def timed(label: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = call()
    print(f"{label:<44} {1000 * (time.perf_counter() - start):8.1f} ms   {value}")
    return value


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="saiping-promotion-"))
    try:
        app = make_app(workdir)
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            demo.seed_demo()
            marks = store_marks(random.Random(20201122))
            for competitor_id in db.session.scalars(select(Competitor.id)):
                results.refresh_competitor(competitor_id)
            now = utcnow()
            db.session.execute(update(Module).values(locked_at=now))
            db.session.execute(update(SkillProject).values(ends_at=now - timedelta(hours=3)))
            db.session.execute(update(Competition).values(published_at=now))
            db.session.commit()
            competition = db.session.scalars(select(Competition)).one()
            organiser = accounts.create_user("bench-promotion", UserRole.ORGANISER)
            people = db.session.query(Competitor).count()
            print(f"demo: {people} competitors, {marks} marks, tier {competition.tier.value}")
            timed("engine, first run", lambda: promotion.run(competition))
            timed("engine, rerun with nothing changed", lambda: promotion.run(competition))
            timed("approve every proposal", lambda: promotion.approve(competition, organiser))
            issued = timed("issue every certificate",
                           lambda: len(certificates.issue(competition)))
            print(f"certificates issued: {issued}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Spreadsheet imports: upload -> preview -> confirm.

- `start` checks the file as a whole (type, encoding, columns, size) and keeps it in an
  ImportJob, so the confirm step re-reads exactly the bytes that were previewed.
- `preview` runs the very same writes as the import, then rolls them back: the counts
  it shows are what confirming will do, by construction.
- `confirm` runs them again and commits once, all or nothing, with one audit event.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.domain.sheet_people import COMPETITOR_COLUMNS, JUDGE_COLUMNS
from app.domain.sheet_scheme import SCHEME_COLUMNS
from app.domain.sheets import ColumnSpec, SheetError, Table
from app.extensions import db
from app.models import Competition, ImportJob, SkillProject
from app.models.base import utcnow
from app.services import audit
from app.services.errors import ServiceError
from app.services.imports.files import read_table
from app.services.imports.outcome import Outcome
from app.services.imports.people import import_competitors, import_judges
from app.services.imports.scheme import import_scheme

__all__ = ["COLUMNS", "COMMITTED", "KINDS", "PREVIEW", "Outcome", "SheetError", "confirm",
           "preview", "read_upload", "start"]

KINDS = ("competitors", "judges", "scheme")
COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "competitors": COMPETITOR_COLUMNS, "judges": JUDGE_COLUMNS, "scheme": SCHEME_COLUMNS,
}
PREVIEW = "preview"
COMMITTED = "committed"
# A file nobody confirmed is dropped after this long: it holds clear ID numbers.
STALE_AFTER = timedelta(days=1)


def read_upload(kind: str, filename: str, data: bytes) -> Table:
    """The file's table, or SheetError saying why the whole file cannot be imported."""
    return read_table(filename, data, COLUMNS[kind], int(current_app.config["IMPORT_MAX_ROWS"]))


def start(kind: str, competition: Competition, filename: str, data: bytes,
          project: SkillProject | None = None, user_id: int | None = None) -> ImportJob:
    """Check the file and keep it for preview. Raises SheetError; then nothing is stored."""
    read_upload(kind, filename, data)
    db.session.execute(delete(ImportJob).where(ImportJob.status == PREVIEW,
                                               ImportJob.created_at < utcnow() - STALE_AFTER))
    job = ImportJob(kind=kind, competition_id=competition.id,
                    project_id=project.id if project else None, filename=filename[-255:],
                    content=data, uploaded_by=user_id, status=PREVIEW)
    db.session.add(job)
    db.session.commit()
    return job


def preview(job: ImportJob) -> Outcome:
    """What confirming would do. Writes nothing: the dry run is rolled back."""
    try:
        return _run(job)
    finally:
        db.session.rollback()


def confirm(job: ImportJob, only_valid: bool) -> Outcome:
    """Import the file in one transaction. Raises ServiceError (nothing stored) when it
    has bad rows and `only_valid` is not set, or when the import is blocked."""
    if job.status != PREVIEW:
        raise ServiceError("already_imported")
    try:
        outcome = _run(job)
        if outcome.blocked:
            raise ServiceError(outcome.blocked[0], **outcome.blocked[1])
        if outcome.errors and not only_valid:
            raise ServiceError("has_errors", bad=outcome.bad)
        if outcome.changes:
            audit.record("import", job, job.competition_id, kind=job.kind,
                         filename=job.filename, project_id=job.project_id,
                         only_valid=only_valid, **outcome.counts())
        job.status = COMMITTED
        job.summary = {**outcome.counts(), "warnings": [list(w) for w in outcome.warnings]}
        job.content = b""  # the file held clear ID numbers; the counts are enough now
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("conflict") from None
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _run(job: ImportJob) -> Outcome:
    table = read_upload(job.kind, job.filename, job.content)
    if job.kind == "scheme":
        project = db.session.get(SkillProject, job.project_id)
        assert project is not None
        return import_scheme(project, table)
    competition = db.session.get(Competition, job.competition_id)
    assert competition is not None
    if job.kind == "judges":
        return import_judges(competition, table)
    return import_competitors(competition, table)

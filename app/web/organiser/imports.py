"""Spreadsheet imports: upload (with a progress bar), preview, confirm, and templates.

The upload is an ordinary multipart form; static/js/import.js sends it by XHR to show
upload progress and asks for JSON back (`Accept: application/json`)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.domain.sheets import RowError, SheetError
from app.extensions import db
from app.models import Competition, ImportJob, SkillProject
from app.services import imports
from app.services.errors import ServiceError
from app.services.imports import templates as sheet_templates
from app.web.organiser import bp
from app.web.organiser.common import crumbs_for, get_or_404
from app.web.organiser.import_forms import ConfirmForm, UploadForm
from app.web.organiser.import_messages import (
    COLUMN_HELP,
    TITLES,
    refusal_message,
    row_message,
    sheet_message,
    too_large_message,
    warning_message,
)

ERRORS_PER_PAGE = 200
UPLOAD_ENDPOINTS = ("organiser.import_upload", "organiser.import_scheme_upload")
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8"}


@bp.route("/competitions/<int:cid>/import/<any(competitors,judges):kind>",
          methods=["GET", "POST"])
def import_upload(cid: int, kind: str) -> Any:
    return _upload(kind, get_or_404(Competition, cid))


@bp.route("/projects/<int:pid>/import/scheme", methods=["GET", "POST"])
def import_scheme_upload(pid: int) -> Any:
    project = get_or_404(SkillProject, pid)
    return _upload("scheme", project.competition, project)


@bp.get("/competitions/<int:cid>/imports/<int:job_id>")
def import_preview(cid: int, job_id: int) -> str:
    job = _job(cid, job_id)
    context = _page_context(job)
    if job.status == imports.COMMITTED:
        return render_template("organiser/imports/result.html", job=job,
                               warning_message=warning_message, **context)
    try:
        outcome = imports.preview(job)
    except SheetError as error:  # e.g. the row limit was lowered since the upload
        flash(sheet_message(error), "danger")
        outcome = imports.Outcome()
    return render_template(
        "organiser/imports/preview.html", job=job, outcome=outcome, form=ConfirmForm(),
        errors=_ErrorPage.of(outcome.errors, request.args.get("page", 1, type=int)),
        row_message=row_message, warning_message=warning_message,
        blocked=refusal_message(ServiceError(outcome.blocked[0], **outcome.blocked[1]))
        if outcome.blocked else None,
        **context)


@bp.post("/competitions/<int:cid>/imports/<int:job_id>/confirm")
def import_confirm(cid: int, job_id: int) -> Response:
    job = _job(cid, job_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            outcome = imports.confirm(job, bool(form.only_valid.data))
        except ServiceError as error:
            flash(refusal_message(error), "danger")
        except SheetError as error:
            flash(sheet_message(error), "danger")
        else:
            if outcome.changes:
                flash(_("Imported: %(new)s new, %(updated)s updated.", new=outcome.new,
                        updated=outcome.updated), "success")
            else:
                flash(_("Nothing changed: everything in the file was already stored."), "info")
    return redirect(url_for(".import_preview", cid=cid, job_id=job_id))


@bp.get("/import-templates/<any(competitors,judges,scheme):kind>.<any(xlsx,csv):fmt>")
def import_template(kind: str, fmt: str) -> Response:
    cid = request.args.get("competition", type=int)
    competition = db.session.get(Competition, cid) if cid else None
    lang = "zh" if str(get_locale() or "zh").startswith("zh") else "en"
    make = sheet_templates.template_xlsx if fmt == "xlsx" else sheet_templates.template_csv
    return send_file(BytesIO(make(kind, lang, competition)), mimetype=MIME[fmt],
                     as_attachment=True, download_name=f"saiping-{kind}-template.{fmt}")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    """An upload over MAX_CONTENT_LENGTH: say so on the import page itself."""
    message = too_large_message(int(current_app.config["MAX_CONTENT_LENGTH"]))
    if _wants_json():
        return jsonify(errors=[message]), 413
    if request.endpoint in UPLOAD_ENDPOINTS and request.view_args:
        args = request.view_args
        if request.endpoint == "organiser.import_scheme_upload":
            project = get_or_404(SkillProject, args["pid"])
            return _upload_page("scheme", project.competition, project, [message], 413)
        return _upload_page(args["kind"], get_or_404(Competition, args["cid"]), None,
                            [message], 413)
    return render_template("error.html", code=413, message=message), 413


def _upload(kind: str, competition: Competition, project: SkillProject | None = None) -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = imports.start(kind, competition, upload.filename or "", upload.read(),
                                project, current_user.id)
        except SheetError as error:
            return _upload_page(kind, competition, project, [sheet_message(error)], 400, form)
        target = url_for(".import_preview", cid=competition.id, job_id=job.id)
        return jsonify(redirect=target) if _wants_json() else redirect(target)
    if request.method == "POST":
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return _upload_page(kind, competition, project, problems, 400, form)
    return _upload_page(kind, competition, project, [], 200, form)


def _upload_page(kind: str, competition: Competition, project: SkillProject | None,
                 problems: list[str], status: int, form: UploadForm | None = None) -> Any:
    if _wants_json() and problems:
        return jsonify(errors=problems), status
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    return render_template(
        # formdata=None: after a 413 the request body must not be read again.
        "organiser/imports/upload.html", form=form or UploadForm(formdata=None), kind=kind,
        problems=problems, max_bytes=limit,
        limit_mb=f"{limit / 1024 / 1024:g}", columns=imports.COLUMNS[kind],
        column_help=COLUMN_HELP[kind], too_large=too_large_message(limit),
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        **_page_context_for(kind, competition, project)), status


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _job(cid: int, job_id: int) -> ImportJob:
    job = get_or_404(ImportJob, job_id)
    if job.competition_id != cid:
        abort(404)
    return job


def _page_context(job: ImportJob) -> dict[str, Any]:
    competition = get_or_404(Competition, job.competition_id)
    project = db.session.get(SkillProject, job.project_id) if job.project_id else None
    return _page_context_for(job.kind, competition, project)


def _page_context_for(kind: str, competition: Competition,
                      project: SkillProject | None) -> dict[str, Any]:
    """Title, breadcrumbs, and where the organiser goes back to afterwards."""
    if kind == "scheme" and project is not None:
        back = url_for(".scheme", pid=project.id)
        upload = url_for(".import_scheme_upload", pid=project.id)
    else:
        back = url_for(f".{kind}", cid=competition.id)
        upload = url_for(".import_upload", cid=competition.id, kind=kind)
    title = str(TITLES[kind])
    return {"title": title, "heading": title, "competition": competition, "project": project,
            "crumbs": crumbs_for(competition, project), "back_url": back, "upload_url": upload}


@dataclass
class _ErrorPage:
    """One page of the bad-row table, shaped like the pager template expects."""

    items: list[RowError]
    page: int
    pages: int
    total: int

    @classmethod
    def of(cls, errors: list[RowError], page: int) -> _ErrorPage:
        pages = max(1, -(-len(errors) // ERRORS_PER_PAGE))
        page = min(max(page, 1), pages)
        start = (page - 1) * ERRORS_PER_PAGE
        return cls(errors[start:start + ERRORS_PER_PAGE], page, pages, len(errors))

    def iter_pages(self) -> list[int | None]:
        near = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown = sorted(p for p in near if 1 <= p <= self.pages)
        result: list[int | None] = []
        for previous, current in zip([0, *shown], shown, strict=False):
            if current - previous > 1:
                result.append(None)
            result.append(current)
        return result

"""Public result sheets: /c/<competition>/p/<project>/results.xlsx|csv|pdf?division=<id>.

Built from the public read model only (app.services.exports.public_sheet), so a sheet
shows what the public board shows: nothing while the results are hidden or only progress
is public, the board as it stood at the freeze, the places revealed so far during the
ceremony. Never cached: a sheet downloaded a second ago may already be out of date, and a
cache must never keep serving what has since been hidden.

`sheet_text()` and `sheet_response()` are shared with the staff exports
(app/web/organiser/exports.py).
"""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.domain.vocabulary import Award
from app.extensions import db
from app.models import Division, SkillProject
from app.services import exports
from app.services.exports import FINAL, PROVISIONAL, ResultSheet, SheetText
from app.services.local_time import display_zone
from app.web.labels import COMPETITOR_STATUS, DIVISION
from app.web.live import bp
from app.web.live.labels import AWARD, tie_label

FORMATS = "any(xlsx, csv, pdf)"
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


@bp.get(f"/<int:competition_id>/p/<int:project_id>/results.<{FORMATS}:fmt>")
def results_export(competition_id: int, project_id: int, fmt: str) -> Response:
    project = db.session.get(SkillProject, project_id)
    if project is None or project.competition_id != competition_id:
        abort(404)
    division = division_of(project, request.args.get("division"))
    return sheet_response(exports.public_sheet(project, division), fmt)


def division_of(project: SkillProject, wanted: str | None) -> Division:
    """`?division=<id>` of this project; the project's first division when not given."""
    if not project.divisions:
        abort(404)
    if not wanted:
        return project.divisions[0]
    division = next((d for d in project.divisions if str(d.id) == wanted), None)
    if division is None:
        abort(404)
    return division


def sheet_response(sheet: ResultSheet, fmt: str) -> Response:
    text = sheet_text()
    render = {"xlsx": exports.to_xlsx, "csv": exports.to_csv, "pdf": exports.to_pdf}[fmt]
    # A PDF opens in the browser, ready to print; spreadsheets download.
    disposition = "inline" if fmt == "pdf" else "attachment"
    return Response(render(sheet, text), headers={
        "Content-Type": MEDIA_TYPES[fmt],
        "Content-Disposition": f'{disposition}; filename="{sheet.file_stem}.{fmt}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


def sheet_text() -> SheetText:
    """Every word of a result sheet, in the language of the request."""
    return SheetText(
        title=_("Results"),
        headings={"rank": _("Rank"), "workstation": _("Workstation"), "name": _("Name"),
                  "delegation": _("Delegation"), "total": _("Total"), "scale": _("Scale"),
                  "award": _("Award"), "note": _("Note")},
        phases={PROVISIONAL: _("Provisional results"), FINAL: _("Final results")},
        divisions={kind.value: str(label) for kind, label in DIVISION.items()},
        awards={award.value: str(AWARD[award]) for award in Award},
        statuses={status.value: str(label) for status, label in COMPETITOR_STATUS.items()},
        tie_note=lambda step, undecided: tie_label({"step": step, "undecided": undecided}),
        no_rows=_("No results to show yet."),
        field_labels={"competition": _("Competition"), "project": _("Project"),
                      "division": _("Division"), "phase": _("Results status"),
                      "date": _("Competition dates"), "printed": _("Printed")},
        chief_judge=_("Chief judge (signature)"),
        supervisor=_("Supervision and arbitration (signature)"),
        signed_on=_("Date"),
        labelled=lambda label, value: _("%(label)s: %(value)s", label=label, value=value),
        page=lambda page, pages: _("Page %(page)s of %(pages)s", page=page, pages=pages),
        watermark=_("Provisional results"),
        zone=display_zone(),
    )

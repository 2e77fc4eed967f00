"""Competitions, their zones and venues, and the audit log."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import AuditEvent, Competition, Venue, Zone
from app.services import organising
from app.web.organiser import bp
from app.web.organiser.common import crumbs_for, form_page, get_or_404
from app.web.organiser.forms import CompetitionForm, VenueForm, ZoneForm


@bp.get("/")
def competitions() -> str:
    q = request.args.get("q", "").strip()
    query = select(Competition).order_by(Competition.year.desc(), Competition.name)
    if q:
        query = query.where(or_(Competition.name.contains(q), Competition.host.contains(q)))
    rows = db.session.scalars(query).all()
    return render_template("organiser/competitions.html", competitions=rows, q=q,
                           counts={c.id: organising.competition_counts(c) for c in rows})


@bp.route("/competitions/new", methods=["GET", "POST"])
def new_competition() -> str | Response:
    form = CompetitionForm()
    return form_page(
        form, lambda: organising.save_competition(None, form.values()),
        success_url=lambda c: url_for(".competition", cid=c.id),
        message=_("Competition created."), heading=_("New competition"),
        crumbs=crumbs_for(), cancel_url=url_for(".competitions"),
    )


@bp.get("/competitions/<int:cid>")
def competition(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    return render_template("organiser/competition.html", competition=comp,
                           counts=organising.competition_counts(comp),
                           crumbs=crumbs_for(), heading=comp.name)


@bp.route("/competitions/<int:cid>/edit", methods=["GET", "POST"])
def edit_competition(cid: int) -> str | Response:
    comp = get_or_404(Competition, cid)
    form = CompetitionForm(obj=comp)
    return form_page(
        form, lambda: organising.save_competition(comp, form.values()),
        success_url=lambda c: url_for(".competition", cid=c.id),
        message=_("Competition saved."), heading=_("Edit competition"),
        crumbs=crumbs_for(comp), cancel_url=url_for(".competition", cid=cid),
    )


@bp.route("/competitions/<int:cid>/zones/new", methods=["GET", "POST"])
@bp.route("/competitions/<int:cid>/zones/<int:zid>/edit", methods=["GET", "POST"])
def zone_form(cid: int, zid: int | None = None) -> str | Response:
    comp = get_or_404(Competition, cid)
    zone = get_or_404(Zone, zid) if zid else None
    if zone is not None and zone.competition_id != comp.id:
        abort(404)  # another competition's zone is not found here
    form = ZoneForm(obj=zone)
    return form_page(
        form, lambda: organising.save_zone(comp, zone, form.values()),
        success_url=lambda z: url_for(".competition", cid=cid) + "#zones",
        message=_("Zone saved."), heading=_("Edit zone") if zone else _("New zone"),
        crumbs=crumbs_for(comp), cancel_url=url_for(".competition", cid=cid),
    )


@bp.route("/zones/<int:zid>/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:vid>/edit", methods=["GET", "POST"])
def venue_form(zid: int | None = None, vid: int | None = None) -> str | Response:
    venue = get_or_404(Venue, vid) if vid else None
    zone = venue.zone if venue else get_or_404(Zone, zid or 0)
    form = VenueForm(obj=venue)
    return form_page(
        form, lambda: organising.save_venue(zone, venue, form.values()),
        success_url=lambda v: url_for(".competition", cid=zone.competition_id) + "#zones",
        message=_("Venue saved."),
        heading=_("Edit venue") if venue else _("New venue in %(zone)s", zone=zone.name),
        crumbs=crumbs_for(zone.competition),
        cancel_url=url_for(".competition", cid=zone.competition_id),
    )


@bp.get("/competitions/<int:cid>/audit")
def audit(cid: int) -> str:
    comp = get_or_404(Competition, cid)
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.paginate(
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .where(AuditEvent.competition_id == cid)
        .order_by(AuditEvent.id.desc()),
        page=page, per_page=50, error_out=False,
    )
    return render_template("organiser/audit.html", competition=comp, rows=rows,
                           crumbs=crumbs_for(comp), heading=_("Audit log"))

"""The public verification page and the certificate PDF.

GET /certificates/verify (certificates.verify) answers an employer who holds a certificate
and wants to know it is real. It needs the certificate number or the ID number, *and* the
holder's name (app.services.certificates.check_lookup): a number alone, such as the one in
the QR code's link, only opens the form and asks for the name; a name alone is refused.
A miss says the same whether the number exists or the name is wrong.

GET /certificates/<number>.pdf (certificates.pdf): who may download a certificate.
- A signed-in organiser, always: they issue the certificates and hand them out.
- Anyone else only with the holder's name in the request (?name=, as the result card's
  link carries it): the same two facts the verification page asks for, so the PDF shows
  nothing the page would not. Without a name the link opens the form for that number; a
  wrong name, a malformed or an unknown number is the same 404.
- A revoked certificate is still served, stamped 已撤销 / REVOKED.

Every lookup, on the page, the PDF and the API (/api/v1/certificates/verify), counts
against one shared limit per address, CERTIFICATE_LOOKUP_LIMIT ("20 per minute" by
default): a number and a name must not be guessable by trying. Requests that cannot look
anything up (no name) and organisers are not counted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from app.domain.certificates import CertificateNumberError, parse_number
from app.domain.identity import mask_last4
from app.domain.vocabulary import UserRole
from app.extensions import limiter
from app.models import Certificate
from app.services import certificates
from app.services.certificate_pdf import certificate_pdf
from app.services.errors import ServiceError
from app.services.local_time import display_zone, today
from app.web import labels
from app.web.certificates import bp
from app.web.certificates.forms import LookupForm, lookup_message

LOOKUP_SCOPE = "certificate-lookup"


def _lookup_limit() -> str:
    return str(current_app.config.get("CERTIFICATE_LOOKUP_LIMIT", "20 per minute"))


def _is_organiser() -> bool:
    return bool(current_user.is_authenticated and current_user.role == UserRole.ORGANISER)


def _not_a_lookup() -> bool:
    """Not counted: an organiser, or a request without a name (it cannot find anything)."""
    return _is_organiser() or not (request.args.get("name") or "").strip()


# One budget per address, shared by the page, the PDF and the API.
lookup_limit = limiter.shared_limit(_lookup_limit, scope=LOOKUP_SCOPE,
                                    exempt_when=_not_a_lookup)



def revoked_on(certificate: Certificate) -> date | None:
    """The day of the revocation where the competition is held."""
    if certificate.revoked_at is None:
        return None
    return certificate.revoked_at.astimezone(display_zone()).date()


@bp.get("/verify")
@lookup_limit
def verify() -> tuple[str, int]:
    form = LookupForm(formdata=request.args)
    found: list[Certificate] | None = None
    asks_name = False
    status = 200
    if form.attempted():
        lookup = certificates.Lookup(form.name.data or "", form.number.data or "",
                                     form.id_number.data or "")
        try:
            if form.name.data or not (lookup.number or lookup.id_number):
                found = certificates.verify(lookup)
            else:
                # The QR code's link carries the number only: check it now (a stand-in
                # name, nothing is looked up), then ask for the name and show nothing.
                certificates.check_lookup(replace(lookup, name="-"))
                asks_name = True
        except ServiceError as error:
            field = getattr(form, error.field or "number", form.number)
            field.errors = [*field.errors, lookup_message(error)]
            status = 400
    return _page(form, found=found, asks_name=asks_name), status


def _page(form: LookupForm, found: list[Certificate] | None = None, asks_name: bool = False,
          limited: bool = False) -> str:
    return render_template("certificates/verify.html", form=form, found=found,
                           asks_name=asks_name, limited=limited, card=_card,
                           by_id=bool(form.id_number.data and not form.number.data),
                           checked_on=_today())


def _card(certificate: Certificate) -> dict[str, object]:
    """What the result card shows; the ID masked, never more."""
    when = revoked_on(certificate)
    return {
        "number": certificate.number,
        "name": certificate.name,
        "id_masked": mask_last4(certificate.id_last4),
        "occupation": certificate.occupation_name,
        "occupation_code": certificate.occupation_code,
        "level": labels.level_label(certificate.level),
        "level_digit": certificate.level,
        "issuing_body": certificate.issuing_body,
        "issued_on": format_date(certificate.issued_on, "long"),
        "competition": certificate.competition_name,
        "project": certificate.project_name,
        "rank": certificate.rank,
        "revoked": certificate.status == "revoked",
        "revoked_on": _long(when),
        "revoked_on_iso": when.isoformat() if when else "",
    }


def _long(day: date | None) -> str | None:
    """2026年11月23日 in Chinese, November 23, 2026 in English."""
    return str(format_date(day, "long")) if day else None


def _today() -> str:
    return str(format_date(today(), "long"))


@bp.errorhandler(429)
def too_many_lookups(error: TooManyRequests) -> tuple[str, int]:
    """Friendlier than the bare error page: the form stays, as typed, with a note to
    wait."""
    return _page(LookupForm(formdata=request.args), limited=True), 429


@bp.get("/<number>.pdf")
@lookup_limit
def pdf(number: str) -> Response:
    """The certificate as a PDF; who may have it: see the module's docstring."""
    name = (request.args.get("name") or "").strip()
    if _is_organiser():
        certificate = certificates.by_number(number)
    elif not name:
        return redirect(url_for("certificates.verify", number=number))
    else:
        certificate = _public_match(number, name)
    if certificate is None:
        abort(404)
    verify_url = url_for("certificates.verify", number=certificate.number, _external=True)
    data = certificate_pdf(certificate, verify_url, timezone=display_zone())
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="certificate-{certificate.number}.pdf"'
    response.cache_control.private = True
    response.cache_control.no_store = True  # personal data: no shared or disk caches
    return response


def _public_match(number: str, name: str) -> Certificate | None:
    try:
        parse_number(number)
        found = certificates.verify(certificates.Lookup(name, number=number))
    except (CertificateNumberError, ServiceError):
        return None
    return found[0] if found else None
